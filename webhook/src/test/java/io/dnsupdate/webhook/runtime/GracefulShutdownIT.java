package io.dnsupdate.webhook.runtime;

import static io.dnsupdate.webhook.WebhookFixture.json;
import static io.dnsupdate.webhook.WebhookFixture.payload;
import static io.dnsupdate.webhook.WebhookFixture.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dnsupdate.testkit.NamedExtension;
import io.dnsupdate.testkit.NamedServer;
import io.dnsupdate.testkit.TestKeys;
import io.dnsupdate.testkit.k8s.FrontProxyClient;
import io.dnsupdate.webhook.WebhookFixture;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What the SIGTERM hook runs ({@link Webhook#shutdown()}): readiness fails and new challenges get
 * 503 at once, while the challenges already in progress finish and write their records.
 */
@ExtendWith(NamedExtension.class)
class GracefulShutdownIT {
  static final String NS = "shutdown";
  static final String ISSUER = "example-test";
  static final String FQDN = "_acme-challenge.example.test.";
  static final int IN_FLIGHT = 20;

  private WebhookFixture fixture;
  private final ExecutorService pool = Executors.newFixedThreadPool(IN_FLIGHT + 1);

  @AfterEach
  void stop() {
    pool.shutdownNow();
    if (fixture != null) {
      fixture.close();
    }
  }

  /** Over HTTP/2 the Presents in progress are streams of one connection that must all finish. */
  @ParameterizedTest
  @EnumSource(
      value = HttpClient.Version.class,
      names = {"HTTP_1_1", "HTTP_2"})
  void drainsChallengesInProgressAndRefusesNewOnes(HttpClient.Version version, NamedServer named) {
    // every change waits a second for its UPDATE message: they are in progress together
    fixture = WebhookFixture.start(List.of("--batch-window=1s"));
    fixture.createKey(NS, "acme", TestKeys.ACME);
    fixture.createIssuer(NS, ISSUER, WebhookFixture.spec(named, "acme"));
    FrontProxyClient certManager =
        fixture
            .caller()
            .user(WebhookFixture.CERT_MANAGER)
            .groups("system:serviceaccounts", "system:authenticated")
            .version(version)
            .build();
    FrontProxyClient probe = fixture.anonymous().build();
    List<CompletableFuture<Integer>> warm = new ArrayList<>();
    for (int i = 0; i < IN_FLIGHT; i++) {
      warm.add(CompletableFuture.supplyAsync(() -> certManager.get("/apis").status(), pool));
    }
    warm.forEach(CompletableFuture::join);

    Map<String, CompletableFuture<FrontProxyClient.Response>> presents = new LinkedHashMap<>();
    for (int i = 0; i < IN_FLIGHT; i++) {
      String value = token();
      presents.put(
          value,
          CompletableFuture.supplyAsync(
              () -> certManager.postChallenge(payload("Present", NS, ISSUER, FQDN, value)), pool));
    }
    await("all Presents in progress")
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(5))
        .until(() -> fixture.webhook.challengesInProgress() == IN_FLIGHT);

    CompletableFuture<Void> shutdown = CompletableFuture.runAsync(fixture.webhook::shutdown);
    await("readiness fails first")
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(5))
        .until(() -> probe.get("/readyz").status() == 503);
    FrontProxyClient.Response late =
        certManager.postChallenge(payload("Present", NS, ISSUER, FQDN, token()));

    assertThat(fixture.webhook.challengesInProgress()).isPositive(); // still draining
    assertThat(late.status()).isEqualTo(503);
    assertThat(late.headers().firstValue("Retry-After")).hasValue("1");
    JsonNode status = json(late.body());
    assertThat(status.get("kind").asText()).isEqualTo("Status");
    assertThat(status.get("reason").asText()).isEqualTo("ServiceUnavailable");

    presents.forEach(
        (value, answer) -> {
          FrontProxyClient.Response r = answer.join();
          assertThat(r.version()).isEqualTo(version);
          assertThat(r.status()).isEqualTo(201);
          assertThat(json(r.body()).at("/response/success").asBoolean()).as(value).isTrue();
        });
    shutdown.join();
    assertThat(fixture.webhook.isReady()).isFalse();
    assertThat(named.txt(FQDN)).containsAll(presents.keySet());
    named.nsupdate(
        TestKeys.ACME,
        presents.keySet().stream()
            .map(v -> "update delete " + FQDN + " TXT \"" + v + "\"")
            .toArray(String[]::new));
  }
}
