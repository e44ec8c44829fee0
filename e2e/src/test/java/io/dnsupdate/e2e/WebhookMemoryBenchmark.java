package io.dnsupdate.e2e;

import static io.dnsupdate.e2e.PackagedWebhook.payload;
import static io.dnsupdate.e2e.PackagedWebhook.succeeded;
import static io.dnsupdate.e2e.PackagedWebhook.token;
import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.testkit.NamedExtension;
import io.dnsupdate.testkit.NamedServer;
import io.dnsupdate.testkit.StandardZones;
import io.dnsupdate.testkit.k8s.FrontProxyClient;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory of the packaged webhook ({@code -XX:MaxRAM=384m}: the JVM sizes itself as in the chart's
 * 384 MiB container): peak RSS ({@code VmHWM}) while 1,000 challenges are solved concurrently and
 * while 5,000 unauthenticated TLS connections are opened and dropped. Figures only, printed and
 * written to {@code target/bench-results-memory.txt}; never asserted.
 */
@ExtendWith(NamedExtension.class)
class WebhookMemoryBenchmark {
  @TempDir Path work;
  private final StringBuilder report = new StringBuilder();

  private void line(String format, Object... args) {
    String l = String.format(format, args);
    System.out.println("[memory] " + l);
    report.append(l).append('\n');
  }

  @Test
  void peakRss(NamedServer named) throws Exception {
    try (PackagedWebhook cluster = new PackagedWebhook(work, named)) {
      // the default cap: beyond 128 challenges in progress the rest get 429 (and retry)
      measure(cluster, 128);
      cluster.stopProcess();
      // every one of the 1,000 in progress at once: one worker thread each
      measure(cluster, 1000);
    } finally {
      Files.writeString(
          Path.of("target", "bench-results-memory.txt"),
          report,
          StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING);
    }
  }

  private void measure(PackagedWebhook cluster, int maxChallenges) throws Exception {
    int n = 1000;
    line("MAX_CHALLENGES=%d", maxChallenges);
    URI uri =
        cluster.launch(
            Map.of("MAX_CHALLENGES", String.valueOf(maxChallenges), "BATCH_WINDOW", "3ms"),
            List.of("-XX:MaxRAM=384m"));
    long pid = cluster.process().pid();
    line("after start: RSS %d MiB", rssMiB(pid, "VmRSS"));

    FrontProxyClient certManager = cluster.certManager(uri);
    ExecutorService pool = Executors.newFixedThreadPool(200);
    try {
      // BIND keeps at most 100 values per name and the test key may write 6 names: 95 Presents
      // per name, and the rest of the 1,000 are CleanUps of values never written (the same work:
      // checks, key, one change in an UPDATE message)
      List<String> names = new ArrayList<>(StandardZones.CHALLENGE_NAMES);
      names.add(StandardZones.BENCH_SUBDOMAIN);
      Map<String, AtomicInteger> outcomes = new java.util.concurrent.ConcurrentHashMap<>();
      List<String[]> presented = new ArrayList<>();
      List<CompletableFuture<Void>> calls = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        String value = token();
        String fqdn = names.get(i % names.size());
        String action = i < 95 * names.size() ? "Present" : "CleanUp";
        if (action.equals("Present")) {
          presented.add(new String[] {fqdn, value});
        }
        calls.add(
            CompletableFuture.runAsync(
                () -> {
                  FrontProxyClient.Response r;
                  try {
                    r = certManager.postChallenge(payload(action, fqdn, value));
                  } catch (RuntimeException e) {
                    // a loaded machine: the client's own connect timeout, counted, not fatal
                    outcomes
                        .computeIfAbsent("client error", k -> new AtomicInteger())
                        .incrementAndGet();
                    return;
                  }
                  String outcome =
                      succeeded(r)
                          ? "success"
                          : r.status()
                              + " "
                              + r.body().replaceAll(".*\"reason\":\"([^\"]*)\".*", "$1");
                  outcomes.computeIfAbsent(outcome, k -> new AtomicInteger()).incrementAndGet();
                },
                pool));
      }
      calls.forEach(CompletableFuture::join);
      long ok = outcomes.getOrDefault("success", new AtomicInteger()).get();
      line(
          "%d concurrent challenges (%d Presents, %d CleanUps; 200 client threads), outcomes %s:"
              + " peak RSS %d MiB",
          n, presented.size(), n - presented.size(), outcomes, rssMiB(pid, "VmHWM"));
      line("threads after the challenges: %d", threads(pid));
      List<CompletableFuture<Boolean>> cleanUps = new ArrayList<>();
      for (String[] p : presented) {
        cleanUps.add(
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return succeeded(certManager.postChallenge(payload("CleanUp", p[0], p[1])));
                  } catch (RuntimeException e) {
                    return false;
                  }
                },
                pool));
      }
      cleanUps.forEach(CompletableFuture::join);

      AtomicInteger refused = new AtomicInteger();
      List<CompletableFuture<Void>> hostile = new ArrayList<>();
      for (int i = 0; i < 5000; i++) {
        hostile.add(
            CompletableFuture.runAsync(
                () -> {
                  if (unauthenticatedRequest(cluster, uri).startsWith("HTTP/1.1 401")) {
                    refused.incrementAndGet();
                  }
                },
                pool));
      }
      hostile.forEach(CompletableFuture::join);
      line(
          "then 5,000 unauthenticated TLS connections opened and dropped (%d answered 401):"
              + " peak RSS %d MiB, now %d MiB",
          refused.get(), rssMiB(pid, "VmHWM"), rssMiB(pid, "VmRSS"));
      line("threads now: %d", threads(pid));
      assertThat(ok).isPositive();
    } finally {
      pool.shutdownNow();
    }
  }

  private static String unauthenticatedRequest(PackagedWebhook cluster, URI uri) {
    try (SSLSocket s =
        (SSLSocket)
            cluster
                .servingCa
                .sslContext()
                .getSocketFactory()
                .createSocket("127.0.0.1", uri.getPort())) {
      s.setSoTimeout(10_000);
      s.getOutputStream()
          .write(
              ("GET /apis HTTP/1.1\r\nHost: x\r\nX-Remote-User: system:admin\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      byte[] buf = new byte[64];
      int r = s.getInputStream().read(buf);
      return r <= 0 ? "" : new String(buf, 0, r, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      return "";
    }
  }

  private static long threads(long pid) throws IOException {
    try (var tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
      return tasks.count();
    }
  }

  private static long rssMiB(long pid, String field) throws IOException {
    for (String l : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
      if (l.startsWith(field + ":")) {
        return Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024;
      }
    }
    return -1;
  }
}
