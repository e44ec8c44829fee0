package io.dnsupdate.webhook.challenge;

import static io.dnsupdate.webhook.WebhookFixture.json;
import static io.dnsupdate.webhook.WebhookFixture.payload;
import static io.dnsupdate.webhook.WebhookFixture.token;
import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.api.DnsUpdateIssuerSpec;
import io.dnsupdate.testkit.NamedExtension;
import io.dnsupdate.testkit.NamedServer;
import io.dnsupdate.testkit.StandardZones;
import io.dnsupdate.testkit.TestKeys;
import io.dnsupdate.testkit.k8s.FrontProxyClient;
import io.dnsupdate.webhook.WebhookFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Figures, not assertions on time: run with {@code mvn -pl webhook -am verify -Pbench}. N
 * concurrent Presents (then CleanUps) of one zone through the HTTPS endpoint, as kube-apiserver
 * would forward them, against a real named: coalesced into shared UPDATE messages, and sent one
 * message per challenge (every peer's way). Results go to stdout and {@code
 * webhook/target/bench-results.txt}. Failures are counted, not fatal: without coalescing, BIND
 * drops what exceeds its update-quota ("too many DNS UPDATEs queued") and those challenges time
 * out, which is part of the comparison.
 */
@ExtendWith(NamedExtension.class)
class WebhookBenchmark {
  private static final int N = 200;
  private static final int WARMUP_ROUNDS = 2;
  private static final String NS = "bench";
  private static final String ISSUER = "example-test";
  private static final List<String> NAMES = new ArrayList<>(StandardZones.CHALLENGE_NAMES);

  static {
    NAMES.add(StandardZones.BENCH_SUBDOMAIN);
  }

  private final StringBuilder report = new StringBuilder();

  @Test
  void measure(NamedServer named) throws Exception {
    line(
        "named %s:%d, TSIG hmac-sha256 over TCP; webhook over HTTPS (TLS 1.3, front-proxy"
            + " client certificate), %d concurrent challenges of zone example.test, %d CPUs",
        named.address(), named.port(), N, Runtime.getRuntime().availableProcessors());
    ExecutorService pool = Executors.newFixedThreadPool(N);
    try {
      run(named, pool, "coalesced (adaptive: an idle lane sends at once)", List.of());
      run(
          named,
          pool,
          "one UPDATE per challenge (--batch-window=off)",
          List.of("--batch-window=off"));
    } finally {
      pool.shutdownNow();
    }
    Path out = Path.of("target", "bench-results.txt");
    Files.writeString(out, report, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
  }

  private void run(NamedServer named, ExecutorService pool, String mode, List<String> args)
      throws Exception {
    List<String> all = new java.util.ArrayList<>(args);
    all.add("--max-challenges=" + N); // all N at once: measure DNS, not the 429 cap
    try (WebhookFixture fixture = WebhookFixture.start(all)) {
      fixture.createKey(NS, "acme", TestKeys.ACME);
      DnsUpdateIssuerSpec spec = WebhookFixture.spec(named, "acme");
      // BIND 9.18 drops UPDATEs beyond its update-quota (100 queued) without answering: with one
      // message per challenge some of N > 100 concurrent ones time out
      spec.setTimeout("10s");
      fixture.createIssuer(NS, ISSUER, spec);
      FrontProxyClient client = fixture.certManager();
      // open N connections (one TLS handshake each) before measuring
      all(pool, N, i -> client.get("/apis").status());
      for (int i = 0; i < WARMUP_ROUNDS; i++) {
        round(fixture, client, pool, named, null);
      }
      round(fixture, client, pool, named, mode);
    }
  }

  private void round(
      WebhookFixture fixture,
      FrontProxyClient client,
      ExecutorService pool,
      NamedServer named,
      String mode)
      throws Exception {
    Map<String, String> values = new LinkedHashMap<>();
    for (int i = 0; i < N; i++) {
      values.put(token(), NAMES.get(i % NAMES.size()));
    }
    List<Map.Entry<String, String>> entries = new ArrayList<>(values.entrySet());
    for (String action : List.of("Present", "CleanUp")) {
      List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
      long messagesBefore = fixture.webhook.metrics().dnsUpdateMessages();
      long t0 = System.nanoTime();
      long[] micros =
          all(
              pool,
              N,
              i -> {
                Map.Entry<String, String> e = entries.get(i);
                long s = System.nanoTime();
                FrontProxyClient.Response r =
                    client.postChallenge(payload(action, NS, ISSUER, e.getValue(), e.getKey()));
                long took = (System.nanoTime() - s) / 1000;
                assertThat(r.status()).isEqualTo(201);
                if (!json(r.body()).get("response").get("success").asBoolean()) {
                  failures.add(json(r.body()).get("response").get("status").get("reason").asText());
                }
                return took;
              });
      double wallMs = (System.nanoTime() - t0) / 1e6;
      long messages = fixture.webhook.metrics().dnsUpdateMessages() - messagesBefore;
      if (failures.isEmpty() && action.equals("Present")) {
        values.forEach((value, name) -> assertThat(named.txt(name)).contains(value));
      } else if (failures.isEmpty()) {
        values.forEach((value, name) -> assertThat(named.txt(name)).doesNotContain(value));
      }
      if (mode != null) {
        Arrays.sort(micros);
        line(
            "%-48s %-7s x%d: %7.1f ms wall, %6.1f challenges/s, %3d UPDATE messages,"
                + " latency p50 %6.1f ms p95 %6.1f ms max %6.1f ms, %d failed %s",
            mode,
            action,
            N,
            wallMs,
            N / (wallMs / 1000),
            messages,
            micros[N / 2] / 1000.0,
            micros[N * 95 / 100] / 1000.0,
            micros[N - 1] / 1000.0,
            failures.size(),
            failures.isEmpty() ? "" : new java.util.TreeSet<>(failures));
      }
    }
  }

  @FunctionalInterface
  interface Call {
    long call(int i) throws Exception;
  }

  private static long[] all(ExecutorService pool, int n, Call call) {
    List<CompletableFuture<Long>> futures = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int index = i;
      futures.add(
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return call.call(index);
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              },
              pool));
    }
    return futures.stream().mapToLong(CompletableFuture::join).toArray();
  }

  private void line(String format, Object... args) {
    String s = String.format(Locale.ROOT, format, args);
    System.out.println("[bench] " + s);
    report.append(s).append('\n');
  }
}
