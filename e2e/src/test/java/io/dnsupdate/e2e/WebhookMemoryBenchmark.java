package io.dnsupdate.e2e;

import static io.dnsupdate.e2e.PackagedWebhook.payload;
import static io.dnsupdate.e2e.PackagedWebhook.succeeded;
import static io.dnsupdate.e2e.PackagedWebhook.token;
import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.testkit.JvmSettings;
import io.dnsupdate.testkit.NamedExtension;
import io.dnsupdate.testkit.NamedServer;
import io.dnsupdate.testkit.ProcessMemory;
import io.dnsupdate.testkit.StandardZones;
import io.dnsupdate.testkit.TestKeys;
import io.dnsupdate.testkit.k8s.FrontProxyClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.Type;
import org.xbill.DNS.Update;

/**
 * Memory of the packaged webhook, side by side for two JVM settings in one run: the image's former
 * entry point ({@code -XX:MaxRAMPercentage=75} in the chart's former 384 MiB limit, emulated with
 * {@code -XX:MaxRAM}) and the shipped {@code webhook/jvm.options} in the chart's present limit.
 * Each load runs in a fresh process, so each peak RSS ({@code VmHWM}) is that load's:
 *
 * <ul>
 *   <li>start-up: time from {@code java} to {@code /readyz} answering 200 (median of 5, the
 *       settings taken in turn) and RSS then;
 *   <li>1,000 challenges sent at once (1,000 client threads) at the default cap of challenges in
 *       progress: over h2, multiplexed as kube-apiserver's aggregator sends them (the webhook's
 *       only real caller), and over HTTP/1.1 with a connection each; and again over h2 with {@code
 *       MAX_CHALLENGES=1000} (every one in progress at once);
 *   <li>5,000 unauthenticated TLS connections opened and dropped, 1,000 at a time.
 * </ul>
 *
 * Figures only, printed and written to {@code target/bench-results-memory.txt}; never asserted.
 * Each load's line also gives the CPU the process used for it. {@code -Dbench.nmt=true} adds native
 * memory tracking and writes {@code jcmd} summaries after each load beside it ({@code
 * -Dbench.heapDump=true} also a heap dump of the live objects); {@code
 * -Dbench.jvm="name=FLAGS;..."} measures more settings ({@code @shipped} in FLAGS stands for the
 * shipped options file, {@code env:NAME=VALUE} sets a variable); {@code -Dbench.baseline=DIR} adds
 * the former flags on the jar built in another checkout DIR (e.g. the main branch before a change);
 * {@code -Dbench.only=baseline,shipped} measures only the settings named.
 */
@ExtendWith(NamedExtension.class)
class WebhookMemoryBenchmark {
  /** The chart's present memory limit of the webhook container (values.yaml). */
  static final String LIMIT = "256m";

  /** The chart's former limit, in which the former entry point ran. */
  static final String FORMER_LIMIT = "384m";

  static final int CLIENTS = 1000;
  static final int CHALLENGES = 1000;
  static final int HOSTILE_CONNECTIONS = 5000;

  @TempDir Path work;
  private NamedServer named;
  private final StringBuilder report = new StringBuilder();
  private final boolean nmt = Boolean.getBoolean("bench.nmt");

  private void line(String format, Object... args) {
    String l = String.format(format, args);
    System.out.println("[memory] " + l);
    report.append(l).append('\n');
  }

  /** The settings measured: former and shipped, plus any given with {@code -Dbench.jvm}. */
  static Map<String, List<String>> settings() {
    return JvmSettings.of("webhook", FORMER_LIMIT, LIMIT);
  }

  @Test
  void peakRss(NamedServer named) throws Exception {
    this.named = named;
    try (PackagedWebhook cluster = new PackagedWebhook(work, named)) {
      Map<String, List<String>> settings = settings();
      settings.forEach((name, command) -> line("%s: %s", name, String.join(" ", command)));
      startUps(cluster, settings);
      for (var s : settings.entrySet()) {
        List<String> command = new ArrayList<>(s.getValue());
        if (nmt) {
          command.add(1, "-XX:NativeMemoryTracking=summary");
        }
        try {
          challenges(cluster, s.getKey(), command, Map.of(), HttpClient.Version.HTTP_2);
          challenges(cluster, s.getKey(), command, Map.of(), HttpClient.Version.HTTP_1_1);
          challenges(
              cluster,
              s.getKey(),
              command,
              Map.of("MAX_CHALLENGES", "1000"),
              HttpClient.Version.HTTP_2);
          hostile(cluster, s.getKey(), command);
        } catch (RuntimeException | AssertionError e) {
          line("%-8s failed: %s", s.getKey(), e.getMessage());
          cluster.stopProcess();
        }
      }
    } finally {
      Files.writeString(
          Path.of("target", "bench-results-memory.txt"),
          report,
          StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING);
    }
  }

  /**
   * Start-up to /readyz, 5 rounds taking the settings in turn (without NMT), so that a busy machine
   * slows each setting alike; the median and every figure.
   */
  private void startUps(PackagedWebhook cluster, Map<String, List<String>> settings)
      throws Exception {
    Map<String, List<Long>> millis = new LinkedHashMap<>();
    Map<String, Long> rss = new LinkedHashMap<>();
    for (int round = 0; round < 5; round++) {
      for (var s : settings.entrySet()) {
        long t0 = System.nanoTime();
        launch(cluster, s.getValue(), Map.of());
        millis
            .computeIfAbsent(s.getKey(), k -> new ArrayList<>())
            .add((System.nanoTime() - t0) / 1_000_000);
        rss.put(s.getKey(), ProcessMemory.rssMiB(cluster.process().pid()));
        cluster.stopProcess();
      }
    }
    for (var m : millis.entrySet()) {
      line(
          "%-8s start-up to /readyz: median %d ms (%s); RSS when ready %d MiB",
          m.getKey(),
          m.getValue().stream().sorted().toList().get(2),
          m.getValue(),
          rss.get(m.getKey()));
    }
  }

  /** Launches; {@code env:NAME=VALUE} words in the command are environment variables. */
  private URI launch(PackagedWebhook cluster, List<String> command, Map<String, String> env)
      throws IOException {
    Map<String, String> all = new LinkedHashMap<>();
    all.put("BATCH_WINDOW", "3ms");
    List<String> words = new ArrayList<>();
    for (String w : command) {
      if (w.startsWith("env:")) {
        String[] kv = w.substring(4).split("=", 2);
        all.put(kv[0], kv[1]);
      } else {
        words.add(w);
      }
    }
    all.putAll(env);
    return cluster.launch(all, words);
  }

  /**
   * Removes every challenge TXT record an earlier run left (a CleanUp lost to a client timeout):
   * BIND refuses a whole UPDATE once a name holds 100 values, which would fail the next run's.
   */
  private static void clearChallengeRecords(NamedServer named) throws IOException {
    Update clear = new Update(Name.fromString(StandardZones.EXAMPLE + "."));
    List<String> names = new ArrayList<>(StandardZones.CHALLENGE_NAMES);
    names.add(StandardZones.BENCH_SUBDOMAIN);
    for (String n : names) {
      clear.delete(Name.fromString(n), Type.TXT);
    }
    SimpleResolver dns = new SimpleResolver(named.socketAddress());
    dns.setTCP(true);
    dns.setTSIGKey(
        new TSIG(TestKeys.ADMIN.algorithm(), TestKeys.ADMIN.name(), TestKeys.ADMIN.secret()));
    Message answer = dns.send(clear);
    assertThat(answer.getRcode()).as("rcode of the clean-up UPDATE").isZero();
  }

  private void challenges(
      PackagedWebhook cluster,
      String name,
      List<String> command,
      Map<String, String> env,
      HttpClient.Version version)
      throws Exception {
    clearChallengeRecords(named);
    URI uri = launch(cluster, command, env);
    long pid = cluster.process().pid();
    Duration cpuReady = cpu(cluster);
    // Over h2 Go's transport (kube-apiserver's aggregator) opens another connection when a
    // connection's streams (the webhook advertises max-challenges + 16 = 80 by default) are all
    // in use; the JDK's client fails the extra streams instead. So h2 calls go over connections
    // of at most 77 concurrent streams each, as the aggregator's would; HTTP/1.1 takes one client
    // (a connection per call in progress).
    int connections = version == HttpClient.Version.HTTP_2 ? (CLIENTS + 76) / 77 : 1;
    List<FrontProxyClient> clients = new ArrayList<>();
    for (int c = 0; c < connections; c++) {
      clients.add(cluster.certManager(uri, version));
    }
    ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
    try {
      // BIND keeps at most 100 values per name and the test key may write 6 names: 95 Presents
      // per name, and the rest of the 1,000 are CleanUps of values never written (the same work:
      // checks, key, one change in an UPDATE message)
      List<String> names = new ArrayList<>(StandardZones.CHALLENGE_NAMES);
      names.add(StandardZones.BENCH_SUBDOMAIN);
      Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
      Map<String, String> firstOf = new ConcurrentHashMap<>();
      List<String[]> presented = new ArrayList<>();
      List<CompletableFuture<Void>> calls = new ArrayList<>();
      for (int i = 0; i < CHALLENGES; i++) {
        String value = token();
        String fqdn = names.get(i % names.size());
        String action = i < 95 * names.size() ? "Present" : "CleanUp";
        FrontProxyClient certManager = clients.get(i % connections);
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
                    Throwable cause = e.getCause() == null ? e : e.getCause();
                    outcomes
                        .computeIfAbsent(
                            "client " + cause.getClass().getSimpleName(), k -> new AtomicInteger())
                        .incrementAndGet();
                    return;
                  }
                  String outcome =
                      succeeded(r)
                          ? "success"
                          : r.status()
                              + " "
                              + r.body().replaceAll(".*\"reason\":\"([^\"]*)\".*", "$1");
                  if (outcomes.computeIfAbsent(outcome, k -> new AtomicInteger()).incrementAndGet()
                      == 1) {
                    firstOf.put(outcome, r.body().replaceAll(".*\"message\":\"([^\"]*)\".*", "$1"));
                  }
                },
                pool));
      }
      calls.forEach(CompletableFuture::join);
      String protocol = version == HttpClient.Version.HTTP_2 ? "h2" : "http1";
      String load =
          (env.isEmpty() ? "challenges" : "challenges-" + env.get("MAX_CHALLENGES"))
              + "-"
              + protocol;
      line(
          "%-8s %,d challenges at once over %s%s: peak RSS %d MiB, threads after %d, CPU %.2f s;"
              + " outcomes %s",
          name,
          CHALLENGES,
          version == HttpClient.Version.HTTP_2
              ? "h2 (as kube-apiserver's aggregator sends them)"
              : "HTTP/1.1 (a connection each)",
          env.isEmpty() ? " (default cap)" : " (MAX_CHALLENGES=" + env.get("MAX_CHALLENGES") + ")",
          ProcessMemory.peakRssMiB(pid),
          ProcessMemory.threads(pid),
          seconds(cpu(cluster).minus(cpuReady)),
          outcomes);
      if (!cluster.process().isAlive()) {
        line("%-8s   the webhook exited: %s", name, exitReason(cluster));
        return;
      }
      firstOf.remove("success");
      if (!firstOf.isEmpty()) {
        line("%-8s   first answer of each failure: %s", name, firstOf);
      }
      diagnose(name, load, pid);
      List<CompletableFuture<Boolean>> cleanUps = new ArrayList<>();
      for (int i = 0; i < presented.size(); i++) {
        String[] p = presented.get(i);
        FrontProxyClient certManager = clients.get(i % connections);
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
    } finally {
      pool.shutdownNow();
      cluster.stopProcess();
    }
  }

  private void hostile(PackagedWebhook cluster, String name, List<String> command)
      throws Exception {
    URI uri = launch(cluster, command, Map.of());
    long pid = cluster.process().pid();
    Duration cpuReady = cpu(cluster);
    ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
    try {
      AtomicInteger refused = new AtomicInteger();
      List<CompletableFuture<Void>> hostile = new ArrayList<>();
      for (int i = 0; i < HOSTILE_CONNECTIONS; i++) {
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
          "%-8s %,d unauthenticated TLS connections opened and dropped (%d answered 401):"
              + " peak RSS %d MiB, RSS after %d MiB, threads after %d, CPU %.2f s",
          name,
          HOSTILE_CONNECTIONS,
          refused.get(),
          ProcessMemory.peakRssMiB(pid),
          ProcessMemory.rssMiB(pid),
          ProcessMemory.threads(pid),
          seconds(cpu(cluster).minus(cpuReady)));
      if (!cluster.process().isAlive()) {
        line("%-8s   the webhook exited: %s", name, exitReason(cluster));
        return;
      }
      diagnose(name, "hostile", pid);
    } finally {
      pool.shutdownNow();
      cluster.stopProcess();
    }
  }

  private static String exitReason(PackagedWebhook cluster) throws IOException {
    String oom =
        Files.readString(cluster.log())
            .lines()
            .filter(l -> l.contains("OutOfMemoryError"))
            .findFirst()
            .orElse("no OutOfMemoryError in its log");
    return "exit code " + cluster.process().exitValue() + ", " + oom;
  }

  private void diagnose(String name, String load, long pid) throws IOException {
    if (!nmt) {
      return;
    }
    Files.writeString(
        Path.of("target", "bench-memory-nmt-" + name + "-" + load + ".txt"),
        ProcessMemory.diagnosis(pid));
    if (Boolean.getBoolean("bench.heapDump")) {
      // live objects only, for a look at who holds what (e.g. Eclipse MAT)
      Path dump =
          Path.of("target", "bench-memory-" + name + "-" + load + ".hprof").toAbsolutePath();
      Files.deleteIfExists(dump);
      ProcessMemory.jcmd(pid, "GC.heap_dump", dump.toString());
    }
  }

  /**
   * CPU the webhook's process has used (user and system): what the load cost it, GC included, so
   * that JVM settings are compared by CPU as well as memory.
   */
  private static Duration cpu(PackagedWebhook cluster) {
    return cluster.process().info().totalCpuDuration().orElse(Duration.ZERO);
  }

  private static double seconds(Duration d) {
    return d.toMillis() / 1000.0;
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
}
