package io.dnsupdate.webhook.challenge;

import static io.dnsupdate.webhook.WebhookFixture.json;
import static io.dnsupdate.webhook.WebhookFixture.payload;
import static io.dnsupdate.webhook.WebhookFixture.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.dnsupdate.api.DnsUpdateIssuerSpec;
import io.dnsupdate.testkit.KerberosKdc;
import io.dnsupdate.testkit.NamedServer;
import io.dnsupdate.testkit.StandardZones;
import io.dnsupdate.testkit.k8s.FrontProxyClient;
import io.dnsupdate.webhook.WebhookFixture;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.LoggerFactory;

/**
 * Present and CleanUp with a Kerberos (GSS-TSIG) issuer against a real MIT KDC and a real BIND with
 * tkey-gssapi-keytab: the same policy, batching and propagation check as with TSIG keys, one login
 * and one context shared by concurrent challenges, a new login when the keytab Secret changes (the
 * old context deleted on the server), and clean failures for bad keytabs, a KDC that is down and a
 * name outside the principal's grant. The keytab never shows in a log line or an answer.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KerberosIssuerIT {
  static final String NS = "kerberos";
  static final String GRANTED = KerberosKdc.GSS_CHALLENGE_NAME;
  static final int PRESENTS = 16;
  static final Pattern NEGOTIATED = Pattern.compile("negotiated GSS-TSIG context (\\S+) with");

  static KerberosKdc kdc;
  static NamedServer named;
  static WebhookFixture fixture;
  static FrontProxyClient certManager;
  static ExecutorService pool;
  static ListAppender<ILoggingEvent> logs;
  static Level dnsupdateLevel;
  static String keytabBase64;

  @BeforeAll
  static void start() {
    logs = new ListAppender<>();
    logs.start();
    root().addAppender(logs);
    dnsupdateLevel = ((Logger) LoggerFactory.getLogger("io.dnsupdate")).getLevel();
    kdc = KerberosKdc.startStandard();
    named = StandardZones.gssPrimaryBuilder(kdc).start();
    keytabBase64 = Base64.getEncoder().encodeToString(kdc.keytabBytes(KerberosKdc.ACME));
    // debug: those lines too must be free of key material
    fixture = WebhookFixture.start(List.of("--batch-window=100ms", "--log-level=debug"));
    certManager = fixture.certManager();
    pool = Executors.newFixedThreadPool(PRESENTS);
  }

  @AfterAll
  static void stop() {
    try {
      if (pool != null) {
        pool.shutdownNow();
      }
      if (fixture != null) {
        fixture.close();
      }
      if (named != null) {
        named.close();
      }
      if (kdc != null) {
        kdc.close();
      }
    } finally {
      root().detachAppender(logs);
      ((Logger) LoggerFactory.getLogger("io.dnsupdate")).setLevel(dnsupdateLevel);
    }
  }

  static Logger root() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }

  // ---------------------------------------------------------------- objects

  /** A keytab Secret with {@code bytes} in data key "keytab". */
  static Secret keytabSecret(String name, byte[] bytes, String label) {
    Secret s =
        new SecretBuilder()
            .withNewMetadata()
            .withNamespace(NS)
            .withName(name)
            .addToLabels("revision", label)
            .endMetadata()
            .withType("Opaque")
            .addToData("keytab", Base64.getEncoder().encodeToString(bytes))
            .build();
    return fixture.api.client().resource(s).createOr(NonDeletingOperation::update);
  }

  /** A Ready issuer for the GSS primary with principal {@code principal} and its keytab Secret. */
  static void kerberosIssuer(String name, String principal, String secret, String... domains) {
    DnsUpdateIssuerSpec spec = WebhookFixture.spec(named, "unused", domains);
    spec.setTsigKeyRef(null);
    DnsUpdateIssuerSpec.Kerberos k = new DnsUpdateIssuerSpec.Kerberos();
    k.setPrincipal(principal);
    k.setKdcs(List.of(kdc.kdcAddress()));
    k.setKeytabSecretRef(new DnsUpdateIssuerSpec.KeytabSecretRef(secret, "keytab"));
    // the nameserver is 127.0.0.1:port: its principal cannot come from its name
    k.setServicePrincipal(kdc.principal(KerberosKdc.DNS_SERVICE));
    spec.setKerberos(k);
    fixture.createIssuer(NS, name, spec);
  }

  /** An issuer of principal acme with a keytab Secret of its own. */
  static void acmeIssuer(String name, String... domains) {
    keytabSecret(name + "-keytab", kdc.keytabBytes(KerberosKdc.ACME), "1");
    kerberosIssuer(name, kdc.principal(KerberosKdc.ACME), name + "-keytab", domains);
  }

  static JsonNode post(String action, String issuer, String fqdn, String value) {
    FrontProxyClient.Response r =
        certManager.postChallenge(payload(action, NS, issuer, fqdn, value));
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    assertThat(r.body()).doesNotContain(keytabBase64);
    return json(r.body()).get("response");
  }

  static void succeeds(JsonNode response) {
    assertThat(response.get("success").asBoolean()).as(response.toString()).isTrue();
  }

  static String fails(JsonNode response, String reason) {
    assertThat(response.get("success").asBoolean()).as(response.toString()).isFalse();
    assertThat(response.get("status").get("reason").asText())
        .as(response.toString())
        .isEqualTo(reason);
    return response.get("status").get("message").asText();
  }

  /**
   * The GSS-TSIG contexts negotiated so far, as the engine logs them. (named logs no TKEY at its
   * default severity, and rndc tsig-list and tsig-delete did not see contexts named had just
   * verified UPDATEs with once there were several: not a reliable witness.)
   */
  static List<String> negotiated() {
    List<String> names = new ArrayList<>();
    for (String line : lines()) {
      Matcher m = NEGOTIATED.matcher(line);
      if (m.find()) {
        names.add(m.group(1));
      }
    }
    return names;
  }

  static List<String> negotiatedSince(List<String> before) {
    List<String> now = new ArrayList<>(negotiated());
    now.removeAll(before);
    return now;
  }

  static long logins(String outcome) {
    return fixture.webhook.metrics().kerberosLogins(outcome);
  }

  // ---------------------------------------------------------------- cases

  @Test
  void presentThenCleanUpWithAKerberosIssuer() {
    acmeIssuer("www", "www.example.test");
    String value = token();

    succeeds(post("Present", "www", GRANTED, value));

    assertThat(named.txt(GRANTED)).contains(value);
    assertThat(named.logFile()).content().contains("/key acme\\@EXAMPLE.TEST: updating");

    succeeds(post("CleanUp", "www", GRANTED, value));

    assertThat(named.txt(GRANTED)).doesNotContain(value);
  }

  @Test
  void presentWaitsForPropagationThroughTheContext() {
    keytabSecret("checked-keytab", kdc.keytabBytes(KerberosKdc.ACME), "1");
    DnsUpdateIssuerSpec spec = WebhookFixture.spec(named, "unused", "www.example.test");
    spec.setTsigKeyRef(null);
    DnsUpdateIssuerSpec.Kerberos k = new DnsUpdateIssuerSpec.Kerberos();
    k.setPrincipal(kdc.principal(KerberosKdc.ACME));
    k.setKdcs(List.of(kdc.kdcAddress()));
    k.setKeytabSecretRef(new DnsUpdateIssuerSpec.KeytabSecretRef("checked-keytab", "keytab"));
    k.setServicePrincipal(kdc.principal(KerberosKdc.DNS_SERVICE));
    spec.setKerberos(k);
    DnsUpdateIssuerSpec.Propagation p = new DnsUpdateIssuerSpec.Propagation();
    p.setVerify(true);
    p.setNameservers(List.of(named.address() + ":" + named.port()));
    p.setTimeout("20s");
    p.setPollInterval("100ms");
    spec.setPropagation(p);
    fixture.createIssuer(NS, "checked", spec);
    String value = token();

    succeeds(post("Present", "checked", GRANTED, value));

    assertThat(named.txt(GRANTED)).contains(value);
    succeeds(post("CleanUp", "checked", GRANTED, value));
    assertThat(named.txt(GRANTED)).doesNotContain(value);
  }

  @Test
  void concurrentPresentsShareOneLoginAndOneContextAndAreCoalesced() {
    acmeIssuer("many", "www.example.test");
    List<String> contextsBefore = negotiated();
    long loginsBefore = logins("success");
    long messagesBefore = fixture.webhook.metrics().dnsUpdateMessages();
    List<String> values = new ArrayList<>();
    for (int i = 0; i < PRESENTS; i++) {
      values.add(token());
    }

    Map<String, JsonNode> answers = concurrently("Present", "many", values);

    answers.values().forEach(KerberosIssuerIT::succeeds);
    assertThat(named.txt(GRANTED)).containsAll(values);
    long messages = fixture.webhook.metrics().dnsUpdateMessages() - messagesBefore;
    List<String> contexts = negotiatedSince(contextsBefore);
    System.out.printf(
        "[kerberos] %d concurrent Presents: %d login(s), %d context(s), %d UPDATE messages%n",
        PRESENTS, logins("success") - loginsBefore, contexts.size(), messages);
    assertThat(logins("success") - loginsBefore).isEqualTo(1);
    assertThat(contexts).hasSize(1);
    assertThat(messages).isLessThan(PRESENTS);

    concurrently("CleanUp", "many", values).values().forEach(KerberosIssuerIT::succeeds);
    assertThat(named.txt(GRANTED)).doesNotContainAnyElementsOf(values);
    assertThat(logins("success") - loginsBefore).isEqualTo(1);
    assertThat(negotiatedSince(contextsBefore)).hasSize(1);
  }

  Map<String, JsonNode> concurrently(String action, String issuer, List<String> values) {
    Map<String, CompletableFuture<JsonNode>> calls = new LinkedHashMap<>();
    for (String v : values) {
      calls.put(v, CompletableFuture.supplyAsync(() -> post(action, issuer, GRANTED, v), pool));
    }
    Map<String, JsonNode> out = new LinkedHashMap<>();
    calls.forEach((v, f) -> out.put(v, f.join()));
    return out;
  }

  @Test
  void aChangedKeytabSecretIsANewLoginAndTheOldContextIsDeleted() {
    acmeIssuer("rotating", "www.example.test");
    List<String> before = negotiated();
    String first = token();
    succeeds(post("Present", "rotating", GRANTED, first));
    List<String> old = negotiatedSince(before);
    assertThat(old).hasSize(1);
    long loginsBefore = logins("success");
    long closedBefore = closings();

    // the same principal's keytab written again (a re-export looks the same to the webhook)
    keytabSecret("rotating-keytab", kdc.keytabBytes(KerberosKdc.ACME), "2");
    String second = token();
    succeeds(post("Present", "rotating", GRANTED, second));

    assertThat(logins("success") - loginsBefore).isEqualTo(1);
    List<String> fresh = negotiatedSince(before);
    fresh.removeAll(old);
    assertThat(fresh).hasSize(1);
    await("the old login's contexts closed")
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> closings() > closedBefore);
    // GssTsigContext.close logs a delete the server did not confirm (its signed answer to the TKEY
    // delete); KerberosUpdateClientIT shows a confirmed one is gone from named.
    assertThat(lines()).noneMatch(l -> l.contains("did not delete GSS-TSIG context " + old.get(0)));

    assertThat(named.txt(GRANTED)).contains(first, second);
    succeeds(post("CleanUp", "rotating", GRANTED, first));
    succeeds(post("CleanUp", "rotating", GRANTED, second));
    assertThat(logins("success") - loginsBefore).isEqualTo(1);
    assertThat(negotiatedSince(before)).hasSize(2); // the old and the fresh one: nothing else
  }

  /** Logins whose contexts were closed so far. */
  static long closings() {
    return lines().stream().filter(l -> l.contains("GSS-TSIG context(s) of")).count();
  }

  @Test
  void aKeytabWithoutThePrincipalsKeyIsKerberosFailed() {
    keytabSecret("others-keytab", kdc.keytabBytes(KerberosKdc.OTHER), "1");
    kerberosIssuer(
        "wrong-keytab", kdc.principal(KerberosKdc.ACME), "others-keytab", "www.example.test");
    String value = token();

    String message = fails(post("Present", "wrong-keytab", GRANTED, value), "KerberosFailed");

    assertThat(message).contains("acme@EXAMPLE.TEST").contains("keytab");
    // held: the same keytab is not tried again at once
    String again = fails(post("Present", "wrong-keytab", GRANTED, value), "KerberosFailed");
    assertThat(again).contains("failed less than");
    assertThat(named.txt(GRANTED)).doesNotContain(value);
  }

  @Test
  void aPrincipalTheKdcDoesNotKnowIsKerberosFailed() {
    kdc.addPrincipal("ghost");
    byte[] keytab = kdc.keytabBytes("ghost");
    kdc.deletePrincipal("ghost");
    keytabSecret("ghost-keytab", keytab, "1");
    kerberosIssuer("ghost", kdc.principal("ghost"), "ghost-keytab", "www.example.test");

    String message = fails(post("Present", "ghost", GRANTED, token()), "KerberosFailed");

    assertThat(message).contains("does not know principal 'ghost@EXAMPLE.TEST'");
  }

  @Test
  void aKdcThatIsDownBeforeTheFirstLoginIsKdcUnreachable() {
    acmeIssuer("kdc-down", "www.example.test");
    kdc.stop();
    try {
      long t0 = System.nanoTime();
      String message = fails(post("Present", "kdc-down", GRANTED, token()), "KdcUnreachable");
      Duration took = Duration.ofNanos(System.nanoTime() - t0);

      assertThat(message).contains(kdc.kdcAddress());
      assertThat(took).isLessThan(Duration.ofSeconds(20));
    } finally {
      kdc.restart();
    }
  }

  @Test
  void aNameOutsideThePrincipalsGrantIsRefused() {
    acmeIssuer("apex", "example.test");
    String fqdn = "_acme-challenge.example.test.";
    String value = token();

    String message = fails(post("Present", "apex", fqdn, value), "UpdateRefused");

    assertThat(message).contains("principal 'acme@EXAMPLE.TEST'");
    assertThat(named.txt(fqdn)).doesNotContain(value);
  }

  @Test
  void aMissingSecretOrDataKeyIsKeyUnavailable() {
    kerberosIssuer("no-secret", kdc.principal(KerberosKdc.ACME), "absent", "www.example.test");
    assertThat(fails(post("Present", "no-secret", GRANTED, token()), "KeyUnavailable"))
        .contains("Secret kerberos/absent")
        .contains("'keytab'");

    Secret wrongKey =
        new SecretBuilder()
            .withNewMetadata()
            .withNamespace(NS)
            .withName("wrong-key")
            .endMetadata()
            .addToData("krb5.keytab", keytabBase64)
            .build();
    fixture.api.client().resource(wrongKey).createOr(NonDeletingOperation::update);
    kerberosIssuer("wrong-key", kdc.principal(KerberosKdc.ACME), "wrong-key", "www.example.test");
    assertThat(fails(post("Present", "wrong-key", GRANTED, token()), "KeyUnavailable"))
        .contains("Secret kerberos/wrong-key")
        .contains("no data key 'keytab'");
  }

  // ---------------------------------------------------------------- logs

  /** Every captured log line, with the messages of its exception and their causes. */
  static List<String> lines() {
    List<String> lines = new ArrayList<>();
    for (ILoggingEvent e : List.copyOf(logs.list)) {
      lines.add(e.getFormattedMessage());
      for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
        lines.add(String.valueOf(t.getMessage()));
      }
    }
    return lines;
  }

  @Test
  @Order(Integer.MAX_VALUE) // after the other cases: their lines are checked too
  void noLogLineHoldsTheKeytab() {
    if (logins("success") == 0) {
      acmeIssuer("logged", "www.example.test");
      succeeds(post("CleanUp", "logged", GRANTED, token()));
    }
    List<String> lines = lines();
    assertThat(lines).anyMatch(l -> l.contains("Kerberos login as acme@EXAMPLE.TEST"));
    assertThat(negotiated()).as("debug lines were captured too").isNotEmpty();
    // the whole keytab, or any 24-character stretch of its base64 text
    for (String line : lines) {
      for (int i = 0; i + 24 <= keytabBase64.length(); i += 12) {
        assertThat(line).doesNotContain(keytabBase64.substring(i, i + 24));
      }
    }
  }
}
