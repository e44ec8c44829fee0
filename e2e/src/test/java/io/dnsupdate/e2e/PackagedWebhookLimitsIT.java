package io.dnsupdate.e2e;

import static io.dnsupdate.e2e.PackagedWebhook.CERT_MANAGER;
import static io.dnsupdate.e2e.PackagedWebhook.payload;
import static io.dnsupdate.e2e.PackagedWebhook.succeeded;
import static io.dnsupdate.e2e.PackagedWebhook.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dnsupdate.testkit.NamedExtension;
import io.dnsupdate.testkit.NamedServer;
import io.dnsupdate.testkit.StandardZones;
import io.dnsupdate.testkit.TestKeys;
import io.dnsupdate.testkit.k8s.FrontProxyClient;
import io.dnsupdate.testkit.k8s.HeldConnections;
import io.dnsupdate.testkit.k8s.HeldConnections.Kind;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.TXTRecord;

/**
 * The packaged webhook jar, in a process of its own configured by the chart's environment, under
 * hostile load and SIGTERM: 1,000 held connections delay neither an authorized Present nor {@code
 * /healthz} beyond a second; SIGTERM while 100 Presents are in progress loses none of them.
 */
@ExtendWith(NamedExtension.class)
class PackagedWebhookLimitsIT {
  @TempDir static Path work;
  static PackagedWebhook cluster;

  private final List<HeldConnections> held = new ArrayList<>();

  @BeforeAll
  static void cluster(NamedServer named) {
    cluster = new PackagedWebhook(work, named);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @AfterEach
  void stop() throws InterruptedException {
    held.forEach(HeldConnections::close);
    cluster.stopProcess();
  }

  @Test
  void aThousandHeldConnectionsDelayNeitherAPresentNorHealth(NamedServer named) throws IOException {
    HeldConnections.requireFileDescriptors(1000 + 200);
    URI uri =
        cluster.launch(
            Map.of("HANDSHAKE_TIMEOUT", "5m", "HEADER_TIMEOUT", "5m", "BODY_TIMEOUT", "5m"));
    InetSocketAddress address = new InetSocketAddress("127.0.0.1", uri.getPort());
    String fqdn = "_acme-challenge.example.test.";
    // a running webhook is warm (classes loaded, API client connected, key and zone cached):
    // what is measured below is the effect of the held connections, not the first call's
    String warm = token();
    FrontProxyClient warmUp = cluster.certManager(uri);
    assertThat(succeeded(warmUp.postChallenge(payload("Present", fqdn, warm)))).isTrue();
    assertThat(succeeded(warmUp.postChallenge(payload("CleanUp", fqdn, warm)))).isTrue();
    long b0 = System.nanoTime();
    assertThat(succeeded(cluster.certManager(uri).postChallenge(payload("CleanUp", fqdn, warm))))
        .isTrue();
    long baselineMillis = (System.nanoTime() - b0) / 1_000_000;
    String stalled =
        "POST "
            + FrontProxyClient.CHALLENGE_PATH
            + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Remote-User: "
            + CERT_MANAGER;
    held.add(HeldConnections.open(address, Kind.SILENT, 250, null, null));
    held.add(HeldConnections.open(address, Kind.PARTIAL_HANDSHAKE, 250, null, null));
    held.add(
        HeldConnections.open(
            address, Kind.PARTIAL_HEADERS, 250, cluster.servingCa.sslContext(), null));
    held.add(
        HeldConnections.open(
            address,
            Kind.STALLED_BODY,
            250,
            cluster.frontProxyCert.sslContext(cluster.servingCa),
            stalled));

    String value = token();
    FrontProxyClient certManager = cluster.certManager(uri); // a new connection: handshake included
    long t0 = System.nanoTime();
    FrontProxyClient.Response present = certManager.postChallenge(payload("Present", fqdn, value));
    Duration presentTook = Duration.ofNanos(System.nanoTime() - t0);
    long t1 = System.nanoTime();
    FrontProxyClient.Response health =
        FrontProxyClient.builder(uri, cluster.servingCa).build().get("/healthz");
    Duration healthTook = Duration.ofNanos(System.nanoTime() - t1);

    System.out.printf(
        "[held] new connection + CleanUp, nothing held: %d ms; with 1,000 connections held:"
            + " Present %d ms, /healthz %d ms%n",
        baselineMillis, presentTook.toMillis(), healthTook.toMillis());
    assertThat(succeeded(present)).as(present.body()).isTrue();
    assertThat(health.status()).isEqualTo(200);
    assertThat(presentTook).isLessThan(Duration.ofSeconds(1));
    assertThat(healthTook).isLessThan(Duration.ofSeconds(1));
    assertThat(held.stream().mapToInt(HeldConnections::stillOpen).sum()).isEqualTo(1000);
    assertThat(named.txt(fqdn)).contains(value);
    assertThat(succeeded(certManager.postChallenge(payload("CleanUp", fqdn, value)))).isTrue();
  }

  @Test
  void sigtermDuringAHundredPresentsLosesNone(NamedServer named) throws Exception {
    int n = 100;
    // each change waits a second for its UPDATE message: all 100 are in progress together
    URI uri = cluster.launch(Map.of("BATCH_WINDOW", "1s", "MAX_CHALLENGES", "200"));
    FrontProxyClient certManager = cluster.certManager(uri);
    FrontProxyClient probe = FrontProxyClient.builder(uri, cluster.servingCa).build();
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      // a fresh JVM runs its first TLS handshakes interpreted: warm it with a few, one at a
      // time, before opening 100 connections at once (each within the client's connect timeout)
      for (int i = 0; i < 20; i++) {
        assertThat(
                FrontProxyClient.builder(uri, cluster.servingCa).build().get("/healthz").status())
            .isEqualTo(200);
      }
      List<CompletableFuture<Integer>> warm = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        warm.add(CompletableFuture.supplyAsync(() -> certManager.get("/apis").status(), pool));
      }
      warm.forEach(CompletableFuture::join);
      Map<String, String> names = new LinkedHashMap<>();
      Map<String, CompletableFuture<FrontProxyClient.Response>> presents = new LinkedHashMap<>();
      for (int i = 0; i < n; i++) {
        String value = token();
        String fqdn = StandardZones.CHALLENGE_NAMES.get(i % StandardZones.CHALLENGE_NAMES.size());
        names.put(value, fqdn);
        presents.put(
            value,
            CompletableFuture.supplyAsync(
                () -> certManager.postChallenge(payload("Present", fqdn, value)), pool));
      }
      await("100 Presents in progress")
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(10))
          .until(() -> inProgress(probe) == n);

      cluster.process().destroy(); // SIGTERM

      for (var e : presents.entrySet()) {
        FrontProxyClient.Response r = e.getValue().get(60, TimeUnit.SECONDS);
        assertThat(succeeded(r)).as(e.getKey() + ": " + r.body()).isTrue();
      }
      assertThat(cluster.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(Files.readString(cluster.log())).contains("shutting down");
      Map<String, List<String>> zone =
          named.records(StandardZones.EXAMPLE).stream()
              .filter(r -> r instanceof TXTRecord)
              .collect(
                  Collectors.groupingBy(
                      r -> r.getName().toString(),
                      Collectors.mapping(
                          r -> String.join("", ((TXTRecord) r).getStrings()),
                          Collectors.toList())));
      names.forEach(
          (value, fqdn) -> assertThat(zone.getOrDefault(fqdn, List.of())).contains(value));
      named.nsupdate(
          TestKeys.ACME,
          names.entrySet().stream()
              .map(e -> "update delete " + e.getValue() + " TXT \"" + e.getKey() + "\"")
              .toArray(String[]::new));
    } finally {
      pool.shutdownNow();
    }
  }

  /** The webhook's own gauge of challenges in progress, from /metrics. */
  private static int inProgress(FrontProxyClient probe) {
    for (String line : probe.get("/metrics", null).body().split("\n")) {
      if (line.startsWith("dnsupdate_webhook_challenges_in_progress ")) {
        return (int) Double.parseDouble(line.substring(line.indexOf(' ') + 1).strip());
      }
    }
    return -1;
  }
}
