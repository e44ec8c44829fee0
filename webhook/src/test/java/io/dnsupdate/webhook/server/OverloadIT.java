package io.dnsupdate.webhook.server;

import static io.dnsupdate.webhook.WebhookFixture.json;
import static io.dnsupdate.webhook.WebhookFixture.payload;
import static io.dnsupdate.webhook.WebhookFixture.token;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dnsupdate.testkit.NamedExtension;
import io.dnsupdate.testkit.NamedServer;
import io.dnsupdate.testkit.StandardZones;
import io.dnsupdate.testkit.TestKeys;
import io.dnsupdate.testkit.k8s.FrontProxyClient;
import io.dnsupdate.webhook.WebhookFixture;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.xbill.DNS.TXTRecord;

/**
 * More challenges than {@code --max-challenges} at once: the surplus is refused with 429, {@code
 * Retry-After} and a Kubernetes Status (over HTTP/1.1 closing the connection), before any DNS
 * traffic; every accepted challenge completes, and the zone (by AXFR) holds exactly the accepted
 * values, and none after their CleanUps.
 */
@ExtendWith(NamedExtension.class)
class OverloadIT {
  static final String NS = "overload";
  static final String ISSUER = "example-test";
  static final String FQDN = "_acme-challenge.example.test.";
  static final int CALLS = 30;

  static WebhookFixture fixture;
  static FrontProxyClient certManager;
  static ExecutorService pool;

  @BeforeAll
  static void start(NamedServer named) {
    // two slots, and each challenge holds its slot for the whole batch window
    fixture = WebhookFixture.start(List.of("--max-challenges=2", "--batch-window=300ms"));
    fixture.createKey(NS, "acme", TestKeys.ACME);
    fixture.createIssuer(NS, ISSUER, WebhookFixture.spec(named, "acme"));
    certManager = fixture.certManager();
    pool = Executors.newFixedThreadPool(CALLS);
  }

  @AfterAll
  static void stop() {
    pool.shutdownNow();
    fixture.close();
  }

  @Test
  void theSurplusGets429AndNothingIsLost(NamedServer named) {
    Set<String> before = txtByAxfr(named);
    Map<String, FrontProxyClient.Response> answers = new ConcurrentHashMap<>();
    List<CompletableFuture<Void>> calls = new ArrayList<>();
    for (int i = 0; i < CALLS; i++) {
      String value = token();
      calls.add(
          CompletableFuture.runAsync(
              () ->
                  answers.put(
                      value,
                      certManager.postChallenge(payload("Present", NS, ISSUER, FQDN, value))),
              pool));
    }
    calls.forEach(CompletableFuture::join);

    Set<String> accepted =
        answers.entrySet().stream()
            .filter(e -> e.getValue().status() == 201)
            .map(Map.Entry::getKey)
            .collect(Collectors.toSet());
    List<FrontProxyClient.Response> refused =
        answers.values().stream().filter(r -> r.status() != 201).toList();
    assertThat(accepted).isNotEmpty();
    assertThat(refused).isNotEmpty();
    for (FrontProxyClient.Response r : refused) {
      assertThat(r.status()).isEqualTo(429);
      assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
      // HTTP/1.1 (this client's): a caller told to come back later keeps no connection meanwhile
      assertThat(r.headers().firstValue("Connection")).hasValue("close");
      JsonNode status = json(r.body());
      assertThat(status.get("kind").asText()).isEqualTo("Status");
      assertThat(status.get("reason").asText()).isEqualTo("TooManyRequests");
      assertThat(status.at("/details/retryAfterSeconds").asInt()).isEqualTo(1);
    }
    for (String value : accepted) {
      assertThat(json(answers.get(value).body()).at("/response/success").asBoolean())
          .as(value)
          .isTrue();
    }
    Set<String> added = txtByAxfr(named);
    added.removeAll(before);
    assertThat(added).containsExactlyInAnyOrderElementsOf(accepted);

    for (String value : accepted) {
      // one at a time now: well within the two slots
      FrontProxyClient.Response r =
          certManager.postChallenge(payload("CleanUp", NS, ISSUER, FQDN, value));
      assertThat(r.status()).isEqualTo(201);
      assertThat(json(r.body()).at("/response/success").asBoolean()).isTrue();
    }
    assertThat(txtByAxfr(named)).isEqualTo(before);
  }

  private static Set<String> txtByAxfr(NamedServer named) {
    return named.records(StandardZones.EXAMPLE).stream()
        .filter(r -> r instanceof TXTRecord && r.getName().toString().equals(FQDN))
        .map(r -> String.join("", ((TXTRecord) r).getStrings()))
        .collect(Collectors.toCollection(java.util.HashSet::new));
  }
}
