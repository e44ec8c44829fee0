package io.dnsupdate.webhook.challenge;

import static io.dnsupdate.webhook.WebhookFixture.token;
import static io.dnsupdate.webhook.challenge.KerberosWebhook.GRANTED;
import static io.dnsupdate.webhook.challenge.KerberosWebhook.NS;
import static io.dnsupdate.webhook.challenge.KerberosWebhook.succeeds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dnsupdate.api.DnsUpdateIssuerSpec;
import io.dnsupdate.testkit.KerberosKdc;
import io.dnsupdate.testkit.k8s.FrontProxyClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Present and CleanUp with a Kerberos (GSS-TSIG) issuer against a real MIT KDC and a real BIND with
 * tkey-gssapi-keytab, as with a TSIG key: the propagation check, concurrent challenges on one login
 * and one context in few UPDATEs, dry runs, and a new login when the keytab Secret changes with the
 * old context deleted. The keytab never shows in a log line or an answer. Failures: {@link
 * KerberosFailuresIT}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KerberosIssuerIT {
  static final int PRESENTS = 16;

  static KerberosWebhook k;
  static ExecutorService pool;

  @BeforeAll
  static void start() {
    k = new KerberosWebhook();
    pool = Executors.newFixedThreadPool(PRESENTS);
  }

  @AfterAll
  static void stop() {
    if (pool != null) {
      pool.shutdownNow();
    }
    if (k != null) {
      k.close();
    }
  }

  @Test
  void presentThenCleanUp() {
    k.acmeIssuer("www", "www.example.test");
    String value = token();

    succeeds(k.post("Present", "www", GRANTED, value));

    assertThat(k.named.txt(GRANTED)).contains(value);
    assertThat(k.named.logFile()).content().contains("/key acme\\@EXAMPLE.TEST: updating");

    succeeds(k.post("CleanUp", "www", GRANTED, value));

    assertThat(k.named.txt(GRANTED)).doesNotContain(value);
  }

  @Test
  void presentWaitsForPropagation() {
    k.keytabSecret("checked-keytab", k.kdc.keytabBytes(KerberosKdc.ACME), "1");
    DnsUpdateIssuerSpec spec =
        k.spec(k.kdc.principal(KerberosKdc.ACME), "checked-keytab", "www.example.test");
    DnsUpdateIssuerSpec.Propagation p = new DnsUpdateIssuerSpec.Propagation();
    p.setVerify(true);
    p.setNameservers(List.of(k.named.address() + ":" + k.named.port()));
    p.setTimeout("20s");
    p.setPollInterval("100ms");
    spec.setPropagation(p);
    k.fixture.createIssuer(NS, "checked", spec);
    String value = token();

    succeeds(k.post("Present", "checked", GRANTED, value));

    assertThat(k.named.txt(GRANTED)).contains(value);
    succeeds(k.post("CleanUp", "checked", GRANTED, value));
    assertThat(k.named.txt(GRANTED)).doesNotContain(value);
  }

  @Test
  void aDryRunLogsInAndChangesNothing() {
    k.acmeIssuer("dry", "www.example.test");
    List<String> before = k.negotiated();
    String value = token();

    FrontProxyClient.Response r =
        k.certManager.post(
            FrontProxyClient.CHALLENGE_PATH + "?dryRun=All",
            io.dnsupdate.webhook.WebhookFixture.payload("Present", NS, "dry", GRANTED, value));

    assertThat(r.status()).as(r.body()).isEqualTo(201);
    succeeds(io.dnsupdate.webhook.WebhookFixture.json(r.body()).get("response"));
    assertThat(k.named.txt(GRANTED)).doesNotContain(value);
    assertThat(k.negotiatedSince(before)).as("no DNS traffic, no context").isEmpty();
  }

  @Test
  void concurrentPresentsShareOneLoginAndOneContextAndAreCoalesced() {
    k.acmeIssuer("many", "www.example.test");
    List<String> contextsBefore = k.negotiated();
    long loginsBefore = k.logins("success");
    long messagesBefore = k.fixture.webhook.metrics().dnsUpdateMessages();
    List<String> values = new ArrayList<>();
    for (int i = 0; i < PRESENTS; i++) {
      values.add(token());
    }

    concurrently("Present", "many", values).values().forEach(KerberosWebhook::succeeds);

    assertThat(k.named.txt(GRANTED)).containsAll(values);
    long messages = k.fixture.webhook.metrics().dnsUpdateMessages() - messagesBefore;
    List<String> contexts = k.negotiatedSince(contextsBefore);
    System.out.printf(
        "[kerberos] %d concurrent Presents: %d login(s), %d context(s), %d UPDATE messages%n",
        PRESENTS, k.logins("success") - loginsBefore, contexts.size(), messages);
    assertThat(k.logins("success") - loginsBefore).isEqualTo(1);
    assertThat(contexts).hasSize(1);
    assertThat(messages).isLessThan(PRESENTS);

    concurrently("CleanUp", "many", values).values().forEach(KerberosWebhook::succeeds);
    assertThat(k.named.txt(GRANTED)).doesNotContainAnyElementsOf(values);
    assertThat(k.logins("success") - loginsBefore).isEqualTo(1);
    assertThat(k.negotiatedSince(contextsBefore)).hasSize(1);
  }

  Map<String, JsonNode> concurrently(String action, String issuer, List<String> values) {
    Map<String, CompletableFuture<JsonNode>> calls = new LinkedHashMap<>();
    for (String v : values) {
      calls.put(v, CompletableFuture.supplyAsync(() -> k.post(action, issuer, GRANTED, v), pool));
    }
    Map<String, JsonNode> out = new LinkedHashMap<>();
    calls.forEach((v, f) -> out.put(v, f.join()));
    return out;
  }

  @Test
  void aChangedKeytabSecretIsANewLoginAndTheOldContextIsDeleted() {
    k.acmeIssuer("rotating", "www.example.test");
    List<String> before = k.negotiated();
    String first = token();
    succeeds(k.post("Present", "rotating", GRANTED, first));
    List<String> old = k.negotiatedSince(before);
    assertThat(old).hasSize(1);
    long loginsBefore = k.logins("success");
    long closedBefore = closings();

    // the same principal's keytab written again (a re-export looks the same to the webhook)
    k.keytabSecret("rotating-keytab", k.kdc.keytabBytes(KerberosKdc.ACME), "2");
    String second = token();
    succeeds(k.post("Present", "rotating", GRANTED, second));

    assertThat(k.logins("success") - loginsBefore).isEqualTo(1);
    List<String> fresh = k.negotiatedSince(before);
    fresh.removeAll(old);
    assertThat(fresh).hasSize(1);
    await("the old login's contexts closed")
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> closings() > closedBefore);
    // named confirmed the TKEY delete with a signed answer (KerberosUpdateClientIT shows such a
    // context is gone from named)
    assertThat(k.lines()).anyMatch(l -> l.contains("deleted GSS-TSIG context " + old.get(0)));
    assertThat(k.lines())
        .noneMatch(l -> l.contains("did not delete GSS-TSIG context " + old.get(0)));

    assertThat(k.named.txt(GRANTED)).contains(first, second);
    succeeds(k.post("CleanUp", "rotating", GRANTED, first));
    succeeds(k.post("CleanUp", "rotating", GRANTED, second));
    assertThat(k.logins("success") - loginsBefore).isEqualTo(1);
    assertThat(k.negotiatedSince(before)).hasSize(2); // the old and the fresh one: nothing else
  }

  /** Logins whose contexts were closed so far. */
  static long closings() {
    return k.lines().stream().filter(l -> l.contains("GSS-TSIG context(s) of")).count();
  }

  @Test
  @Order(Integer.MAX_VALUE) // after the other cases: their lines are checked too
  void noLogLineHoldsTheKeytab() {
    k.assertNoKeytabLogged();
  }
}
