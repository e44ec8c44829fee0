package io.dnsupdate.webhook.challenge;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Concurrent challenges of one zone share UPDATE messages, each caller still gets its own outcome,
 * and a name the nameserver refuses fails alone.
 */
@ExtendWith(NamedExtension.class)
class BatchingIT {
  static final String NS = "batch";
  static final String ISSUER = "example-test";
  static final int PRESENTS = 40;

  static WebhookFixture fixture;
  static FrontProxyClient certManager;
  static ExecutorService pool;

  @BeforeAll
  static void start(NamedServer named) {
    // a wide window so that the concurrent requests of this test meet in few messages
    fixture = WebhookFixture.start(List.of("--batch-window=100ms"));
    fixture.createKey(NS, "acme", TestKeys.ACME);
    fixture.createIssuer(NS, ISSUER, WebhookFixture.spec(named, "acme"));
    certManager = fixture.certManager();
    pool = Executors.newFixedThreadPool(PRESENTS + 1);
  }

  @AfterAll
  static void stop() {
    pool.shutdownNow();
    fixture.close();
  }

  Map<String, JsonNode> concurrently(String action, Map<String, String> valuesToNames) {
    Map<String, CompletableFuture<JsonNode>> calls = new LinkedHashMap<>();
    valuesToNames.forEach(
        (value, name) ->
            calls.put(
                value,
                CompletableFuture.supplyAsync(
                    () -> {
                      FrontProxyClient.Response r =
                          certManager.postChallenge(payload(action, NS, ISSUER, name, value));
                      assertThat(r.status()).isEqualTo(201);
                      return json(r.body()).get("response");
                    },
                    pool)));
    Map<String, JsonNode> out = new LinkedHashMap<>();
    calls.forEach((value, f) -> out.put(value, f.join()));
    return out;
  }

  @Test
  void concurrentPresentsShareMessagesAndEachGetsItsOwnAnswer(NamedServer named) {
    // open the client's connections first: TLS handshakes should not spread the requests out
    List<CompletableFuture<Integer>> warm = new ArrayList<>();
    for (int i = 0; i < PRESENTS; i++) {
      warm.add(CompletableFuture.supplyAsync(() -> certManager.get("/apis").status(), pool));
    }
    warm.forEach(CompletableFuture::join);

    Map<String, String> good = new LinkedHashMap<>();
    for (int i = 0; i < PRESENTS; i++) {
      good.put(
          token(), StandardZones.CHALLENGE_NAMES.get(i % StandardZones.CHALLENGE_NAMES.size()));
    }
    String refusedValue = token();
    String refusedName = "_acme-challenge.c.example.test."; // allowed by the issuer, not by BIND
    Map<String, String> all = new LinkedHashMap<>(good);
    all.put(refusedValue, refusedName);
    long messagesBefore = fixture.webhook.metrics().dnsUpdateMessages();

    Map<String, JsonNode> answers = concurrently("Present", all);

    long messages = fixture.webhook.metrics().dnsUpdateMessages() - messagesBefore;
    good.keySet()
        .forEach(v -> assertThat(answers.get(v).get("success").asBoolean()).as(v).isTrue());
    JsonNode refused = answers.get(refusedValue);
    assertThat(refused.get("success").asBoolean()).isFalse();
    assertThat(refused.get("status").get("reason").asText()).isEqualTo("UpdateRefused");
    assertThat(refused.get("status").get("message").asText()).contains(refusedName);
    good.forEach((value, name) -> assertThat(named.txt(name)).contains(value));
    assertThat(named.txt(refusedName)).isEmpty();
    System.out.printf(
        "[batching] %d Presents (1 refused) took %d UPDATE messages%n", all.size(), messages);
    // a refused batch costs one message plus one per change: still far below one per challenge
    assertThat(messages).isLessThan(all.size());

    Map<String, JsonNode> cleanups = concurrently("CleanUp", good);

    cleanups.values().forEach(a -> assertThat(a.get("success").asBoolean()).isTrue());
    good.forEach((value, name) -> assertThat(named.txt(name)).doesNotContain(value));
  }
}
