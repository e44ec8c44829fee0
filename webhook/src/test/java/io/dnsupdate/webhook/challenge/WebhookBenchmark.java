package io.dnsupdate.webhook.challenge;

import static io.dnsupdate.webhook.WebhookFixture.json;
import static io.dnsupdate.webhook.WebhookFixture.payload;
import static io.dnsupdate.webhook.WebhookFixture.token;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import io.dnsupdate.api.DnsUpdateIssuerSpec;
import io.dnsupdate.api.OutsideGrants;
import io.dnsupdate.testkit.NamedExtension;
import io.dnsupdate.testkit.NamedServer;
import io.dnsupdate.testkit.StandardZones;
import io.dnsupdate.testkit.TestKeys;
import io.dnsupdate.testkit.k8s.FrontProxyClient;
import io.dnsupdate.webhook.WebhookFixture;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * Figures, not assertions on time: run with {@code mvn -pl webhook -am verify -Pbench}. Through the
 * HTTPS endpoint with front-proxy client certificates, as kube-apiserver forwards them, against a
 * real named, with the propagation check on (the primary is the zone's authoritative server),
 * beside {@code nsupdate} in the same run: one Present at a time (latency), and {@value #N}
 * concurrent Presents then CleanUps of {@value #N} names of one zone, coalesced (the default) and
 * one UPDATE per challenge ({@code --batch-window=off}, other solvers' way). The concurrent phases
 * run, in each mode, over HTTP/2 as kube-apiserver's aggregator calls (one connection, every
 * challenge a stream of it, sent without a thread each): from Go's h2 client in a process of its
 * own ({@link GoH2Caller}, the aggregator's client, which costs this JVM nothing), from the JDK's
 * h2 client and from Jetty's ({@link JettyH2Caller}), these two in this JVM; and over HTTP/1.1 from
 * {@value #THREADS} blocking threads, one connection each. The Go caller also gets a one at a time
 * row over h2 (the JDK one is HTTP/1.1). {@code -Dbench.callers=go,jdk,jetty,http1} (the default:
 * all) picks the concurrent rows. The webhook runs in surefire's JVM with the image's JIT and GC
 * (C1 only, SerialGC: the bench profile's {@code bench.argLine}; {@code -Dbench.argLine=} gives
 * surefire's default C2 and G1, whose C2 compiler was still busy in the measured phases); not with
 * the image's heap limits, which would not fit the clients and mock API server beside it. Each
 * concurrent phase ends with a line of {@link PhaseCpu}: where the 2 cores went. Results go to
 * stdout and {@code webhook/target/bench-results.txt}. Failures are counted, not fatal: without
 * coalescing BIND drops what exceeds its update-quota ("too many DNS UPDATEs queued") and those
 * challenges time out, which is part of the comparison.
 */
@ExtendWith(NamedExtension.class)
class WebhookBenchmark {
  private static final int N = 1000;

  /** HTTP/1.1 client threads, each on its own connection (one request in flight per connection). */
  private static final int THREADS = 200;

  private static final int SEQUENTIAL = 300;

  /** Measured rounds of the concurrent phase per mode ({@code -Dbench.rounds}). */
  private static final int ROUNDS = Integer.getInteger("bench.rounds", 1);

  /**
   * Also the coalesced mode with every changed name read back, as for a server that refuses
   * silently ({@code -Dbench.readBack=true}): what trusting BIND's NOERROR saves, side by side.
   */
  private static final boolean READ_BACK = Boolean.getBoolean("bench.readBack");

  /** Run only the coalesced mode ({@code -Dbench.coalescedOnly=true}): quicker CPU comparisons. */
  private static final boolean COALESCED_ONLY = Boolean.getBoolean("bench.coalescedOnly");

  /**
   * A JFR recording of the measured concurrent phases goes to this file ({@code -Dbench.jfr=path},
   * relative to {@code webhook/}); none without it.
   */
  private static final String JFR = System.getProperty("bench.jfr", "");

  /**
   * With {@code -Dbench.h2ClientThreads=N}, another h2 row whose client runs on N threads instead
   * of the JDK's cached pool: how much of the h2 row's CPU is the client's.
   */
  private static final int H2_CLIENT_THREADS = Integer.getInteger("bench.h2ClientThreads", 0);

  /**
   * With {@code -Dbench.h2Connections=K} (K > 1), another h2 row spreading the streams over K
   * connections (K clients, round robin): whether one connection is what limits the h2 row. The
   * aggregator itself opens a second connection only beyond the advertised stream limit.
   */
  private static final int H2_CONNECTIONS = Integer.getInteger("bench.h2Connections", 1);

  /**
   * The concurrent rows to run ({@code -Dbench.callers}, comma-separated): {@code go} (a separate
   * process), {@code jdk} and {@code jetty} (h2 clients in this JVM), {@code http1}.
   */
  private static final Set<String> CALLERS =
      Set.of(System.getProperty("bench.callers", "go,jdk,jetty,http1").split(","));

  private static final String NS = "bench";
  private static final String ISSUER = "example-test";

  private final StringBuilder report = new StringBuilder();

  /**
   * Logs as the image does ({@code src/main/resources/logback.xml}), not as the other tests: each
   * challenge's INFO line is part of its cost.
   */
  @BeforeAll
  static void imageLogging() throws Exception {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(WebhookBenchmark.class.getResource("/logback.xml"));
  }

  @Test
  void measure(NamedServer named) throws Exception {
    line(
        "named %s:%d, TSIG hmac-sha256 over TCP; webhook over HTTPS (TLS 1.3, front-proxy"
            + " client certificate), propagation check on; %d CPUs",
        named.address(), named.port(), Runtime.getRuntime().availableProcessors());
    nsupdate(named);
    Optional<String> noGo = CALLERS.contains("go") ? GoH2Caller.build() : Optional.of("not asked");
    noGo.ifPresent(why -> line("no Go h2 caller rows: %s", why));
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    Recording jfr = JFR.isEmpty() ? null : new Recording(Configuration.getConfiguration("profile"));
    if (jfr != null) {
      jfr.start();
      line("JFR recording (profile settings) of the whole run to %s", JFR);
    }
    try {
      run(named, pool, "coalesced (default)", List.of(), OutsideGrants.Refused, noGo.isEmpty());
      if (READ_BACK) {
        run(
            named,
            pool,
            "coalesced, names read back",
            List.of(),
            OutsideGrants.RefusedSilently,
            noGo.isEmpty());
      }
      if (!COALESCED_ONLY) {
        run(
            named,
            pool,
            "one UPDATE per challenge (--batch-window=off)",
            List.of("--batch-window=off"),
            OutsideGrants.Refused,
            noGo.isEmpty());
      }
    } finally {
      pool.shutdownNow();
      if (jfr != null) {
        jfr.dump(Path.of(JFR));
        jfr.close();
      }
    }
    Path out = Path.of("target", "bench-results.txt");
    Files.writeString(out, report, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
  }

  private static String name(int i) {
    return "_acme-challenge.n" + i + "." + StandardZones.BENCH_DOMAIN;
  }

  /** The baseline: one nsupdate process sending one message per record, adds then deletes. */
  private void nsupdate(NamedServer named) {
    StringBuilder adds = new StringBuilder("zone example.test.\n");
    StringBuilder deletes = new StringBuilder("zone example.test.\n");
    for (int i = 0; i < N; i++) {
      String value = token();
      adds.append("update add ")
          .append(name(i))
          .append(" 60 TXT ")
          .append(value)
          .append("\nsend\n");
      deletes.append("update delete ").append(name(i)).append(" TXT ").append(value);
      deletes.append("\nsend\n");
    }
    for (String[] step :
        List.of(
            new String[] {"add", adds.toString()}, new String[] {"delete", deletes.toString()})) {
      long t0 = System.nanoTime();
      assertThat(named.nsupdate(TestKeys.ACME, step[1].split("\n")).ok()).isTrue();
      double ms = (System.nanoTime() - t0) / 1e6;
      line(
          "nsupdate, one process, %d separate UPDATEs (%s): %7.1f ms wall, %.2f ms per message",
          N, step[0], ms, ms / N);
    }
  }

  /**
   * @param outside the issuer's status.outsideGrants: BIND's probe finds Refused, so NOERROR is
   *     trusted; RefusedSilently (PowerDNS's) has every changed name read back
   */
  private void run(
      NamedServer named,
      ExecutorService pool,
      String mode,
      List<String> args,
      OutsideGrants outside,
      boolean withGo)
      throws Exception {
    List<String> all = new ArrayList<>(args);
    all.add("--max-challenges=" + N); // all N at once: measure DNS, not the 429 cap
    // e.g. -Dbench.extraArgs=--log-level=warn: what the per-challenge log line costs
    for (String arg : System.getProperty("bench.extraArgs", "").split(" +")) {
      if (!arg.isEmpty()) {
        all.add(arg);
      }
    }
    try (WebhookFixture fixture = WebhookFixture.start(all)) {
      fixture.createKey(NS, "acme", TestKeys.ACME);
      DnsUpdateIssuerSpec spec = WebhookFixture.spec(named, "acme");
      spec.setTimeout("10s");
      DnsUpdateIssuerSpec.Propagation p = new DnsUpdateIssuerSpec.Propagation();
      p.setVerify(true);
      p.setNameservers(List.of(named.address() + ":" + named.port()));
      spec.setPropagation(p);
      fixture.createIssuer(NS, ISSUER, spec, outside);
      FrontProxyClient client = fixture.certManager();
      // open the connections (one TLS handshake each) before measuring
      all(
          pool,
          THREADS,
          i -> {
            try {
              return client.get("/apis").status();
            } catch (java.io.UncheckedIOException e) {
              return 0; // a connection not opened now is opened by the first challenge on it
            }
          });
      sequential(client, named, mode, SEQUENTIAL, false); // JIT warm-up, not reported
      sequential(client, named, mode, SEQUENTIAL, true);
      List<Transport> transports = new ArrayList<>();
      if (withGo) {
        GoH2Caller go = GoH2Caller.open(fixture, client);
        goSequential(go, named, mode, false); // the h2 paths' warm-up: the JDK row is HTTP/1.1
        goSequential(go, named, mode, true);
        transports.add(
            new Transport(
                "h2, 1 connection, Go caller (separate process)",
                HttpClient.Version.HTTP_2,
                null,
                go));
      }
      if (CALLERS.contains("jdk")) {
        transports.add(
            new Transport(
                "h2, 1 connection",
                HttpClient.Version.HTTP_2,
                h2Post(h2Client(fixture, client, null), client),
                null));
      }
      if (H2_CONNECTIONS > 1) {
        List<ChallengeCall> each = new ArrayList<>();
        for (int c = 0; c < H2_CONNECTIONS; c++) {
          each.add(h2Post(h2Client(fixture, client, null), client));
        }
        java.util.concurrent.atomic.AtomicInteger next =
            new java.util.concurrent.atomic.AtomicInteger();
        transports.add(
            new Transport(
                "h2, " + H2_CONNECTIONS + " connections",
                HttpClient.Version.HTTP_2,
                json -> each.get(Math.floorMod(next.getAndIncrement(), each.size())).send(json),
                null));
      }
      // the same calls from Jetty's h2 client (one connection, async): the JDK 17 h2 client costs
      // this process more CPU than the webhook does, which kube-apiserver's Go client would not
      JettyH2Caller jetty =
          CALLERS.contains("jetty") ? JettyH2Caller.open(fixture, client, 2 * N) : null;
      if (jetty != null) {
        transports.add(
            new Transport(
                "h2, 1 connection, Jetty client",
                HttpClient.Version.HTTP_2,
                jetty::postChallenge,
                null));
      }
      ExecutorService h2Threads =
          H2_CLIENT_THREADS > 0 ? Executors.newFixedThreadPool(H2_CLIENT_THREADS) : null;
      if (h2Threads != null) {
        transports.add(
            new Transport(
                "h2, 1 connection, " + H2_CLIENT_THREADS + " client threads",
                HttpClient.Version.HTTP_2,
                h2Post(h2Client(fixture, client, h2Threads), client),
                null));
      }
      if (CALLERS.contains("http1")) {
        transports.add(
            new Transport(
                "HTTP/1.1, " + THREADS + " threads",
                HttpClient.Version.HTTP_1_1,
                json -> CompletableFuture.supplyAsync(() -> client.postChallenge(json), pool),
                null));
      }
      try {
        measureConcurrent(fixture, transports, named, mode);
      } finally {
        if (h2Threads != null) {
          h2Threads.shutdownNow();
        }
        if (jetty != null) {
          jetty.close();
        }
      }
    }
  }

  private void measureConcurrent(
      WebhookFixture fixture, List<Transport> transports, NamedServer named, String mode)
      throws Exception {
    for (Transport t : transports) {
      concurrent(fixture, t, named, null); // warm-up, not reported
    }
    for (int round = 0; round < ROUNDS; round++) {
      for (Transport t : transports) {
        concurrent(fixture, t, named, mode);
      }
    }
  }

  /**
   * An h2 client with its connection already open (one request first, so it exists before many
   * streams want it); {@code executor} null: the JDK's default, a cached pool.
   */
  private static HttpClient h2Client(
      WebhookFixture fixture, FrontProxyClient identity, ExecutorService executor)
      throws Exception {
    HttpClient.Builder b =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_2)
            .sslContext(fixture.frontProxyCert.sslContext(fixture.servingCa))
            .connectTimeout(java.time.Duration.ofSeconds(10));
    if (executor != null) {
      b.executor(executor);
    }
    HttpClient h2 = b.build();
    h2.send(identity.request("/apis").GET().build(), HttpResponse.BodyHandlers.discarding());
    return h2;
  }

  /**
   * How the concurrent phases call: {@code post} sends one challenge's JSON from this JVM and
   * completes with the answer; or, {@code post} null, {@code external} makes all the calls from its
   * own process. {@code version} is the protocol every answer must come over.
   */
  private record Transport(
      String label, HttpClient.Version version, ChallengeCall post, GoH2Caller external) {}

  /** One challenge's call: sends {@code json}, completes with the answer or the failure. */
  @FunctionalInterface
  private interface ChallengeCall {
    CompletableFuture<FrontProxyClient.Response> send(String json);
  }

  /**
   * As kube-apiserver's aggregator: a stream of the one h2 connection, no thread waiting on it. The
   * identity headers come from the same {@link FrontProxyClient} the HTTP/1.1 row uses.
   */
  private static ChallengeCall h2Post(HttpClient h2, FrontProxyClient identity) {
    return json ->
        h2.sendAsync(
                identity
                    .request(FrontProxyClient.CHALLENGE_PATH)
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json, */*")
                    .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8))
                    .build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
            .thenApply(
                r ->
                    new FrontProxyClient.Response(
                        r.statusCode(), r.body(), r.headers(), r.version()));
  }

  /** One challenge at a time: the latency of a lone Present and CleanUp. */
  private void sequential(
      FrontProxyClient client, NamedServer named, String mode, int rounds, boolean report)
      throws Exception {
    long[] present = new long[rounds];
    long[] cleanUp = new long[rounds];
    for (int i = 0; i < rounds; i++) {
      String value = token();
      present[i] = call(client, "Present", name(0), value);
      cleanUp[i] = call(client, "CleanUp", name(0), value);
    }
    assertThat(named.txt(name(0))).isEmpty();
    if (report) {
      Arrays.sort(present);
      Arrays.sort(cleanUp);
      line(
          "%-46s one at a time x%d: Present p50 %5.2f ms p99 %5.2f ms, CleanUp p50 %5.2f ms"
              + " p99 %5.2f ms",
          mode,
          rounds,
          present[rounds / 2] / 1000.0,
          present[rounds * 99 / 100] / 1000.0,
          cleanUp[rounds / 2] / 1000.0,
          cleanUp[rounds * 99 / 100] / 1000.0);
    }
  }

  /**
   * The same one-at-a-time Presents and CleanUps of one name from the Go caller: over its one h2
   * connection, from a process of its own.
   */
  private void goSequential(GoH2Caller go, NamedServer named, String mode, boolean report)
      throws Exception {
    List<String> bodies = new ArrayList<>();
    for (int i = 0; i < SEQUENTIAL; i++) {
      String value = token();
      bodies.add(payload("Present", NS, ISSUER, name(0), value));
      bodies.add(payload("CleanUp", NS, ISSUER, name(0), value));
    }
    GoH2Caller.Result r;
    try (GoH2Caller.Run run = go.start(bodies, false)) {
      r = run.go();
    }
    assertThat(r.failures()).as("Go caller, one at a time").isEmpty();
    assertThat(named.txt(name(0))).isEmpty();
    if (report) {
      long[] present = new long[SEQUENTIAL];
      long[] cleanUp = new long[SEQUENTIAL];
      for (int i = 0; i < SEQUENTIAL; i++) {
        present[i] = r.latenciesUs()[2 * i];
        cleanUp[i] = r.latenciesUs()[2 * i + 1];
      }
      Arrays.sort(present);
      Arrays.sort(cleanUp);
      line(
          "%-46s one at a time x%d, Go caller over h2: Present p50 %5.2f ms p95 %5.2f ms p99"
              + " %5.2f ms, CleanUp p50 %5.2f ms p95 %5.2f ms p99 %5.2f ms, 0 failed",
          mode,
          SEQUENTIAL,
          present[SEQUENTIAL / 2] / 1000.0,
          present[SEQUENTIAL * 95 / 100] / 1000.0,
          present[SEQUENTIAL * 99 / 100] / 1000.0,
          cleanUp[SEQUENTIAL / 2] / 1000.0,
          cleanUp[SEQUENTIAL * 95 / 100] / 1000.0,
          cleanUp[SEQUENTIAL * 99 / 100] / 1000.0);
    }
  }

  private static long call(FrontProxyClient client, String action, String fqdn, String value)
      throws Exception {
    long s = System.nanoTime();
    FrontProxyClient.Response r = client.postChallenge(payload(action, NS, ISSUER, fqdn, value));
    long micros = (System.nanoTime() - s) / 1000;
    assertThat(r.status()).isEqualTo(201);
    assertThat(json(r.body()).get("response").get("success").asBoolean())
        .as("%s %s: %s", action, fqdn, r.body())
        .isTrue();
    return micros;
  }

  private void concurrent(
      WebhookFixture fixture, Transport transport, NamedServer named, String mode)
      throws Exception {
    List<String> values = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      values.add(token());
    }
    for (String action : List.of("Present", "CleanUp")) {
      List<String> bodies = new ArrayList<>(N);
      for (int i = 0; i < N; i++) {
        bodies.add(payload(action, NS, ISSUER, name(i), values.get(i)));
      }
      // the Go caller's process starts and opens its connection before the counters are read
      GoH2Caller.Run external =
          transport.external() == null ? null : transport.external().start(bodies, true);
      List<String> failures = new CopyOnWriteArrayList<>();
      long messagesBefore = fixture.webhook.metrics().dnsUpdateMessages();
      Set<Integer> connectionsBefore = clientPorts(fixture.webhook.port());
      CpuTime cpuBefore = CpuTime.now();
      long[] kernelBefore = processTicksAndSwitches();
      PhaseCpu phaseBefore = PhaseCpu.now(named.pid()); // last, so its own cost is outside
      long t0 = System.nanoTime();
      long[] micros = new long[N];
      double sentMs;
      double wallMs;
      GoH2Caller.Result go = null;
      if (external != null) {
        go = external.go();
        // when its last request was written out (no thread of this JVM sends)
        sentMs = go.sentMs();
        wallMs = go.wallMs();
        System.arraycopy(go.latenciesUs(), 0, micros, 0, N);
        failures.addAll(go.failures());
      } else {
        List<CompletableFuture<Void>> calls = new ArrayList<>(N);
        for (int i = 0; i < N; i++) {
          int index = i;
          long s = System.nanoTime();
          CompletableFuture<FrontProxyClient.Response> answer;
          try {
            answer = transport.post().send(bodies.get(i));
          } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
          }
          calls.add(
              answer.handle(
                  (r, e) -> {
                    micros[index] = (System.nanoTime() - s) / 1000;
                    failures.addAll(failuresOf(transport, r, e));
                    return null;
                  }));
        }
        // when the last call left this thread: the sending is the client's work, done on this
        // thread in part (Jetty's client writes frames on the caller's thread), and a wall much
        // longer than the p99 latency is mostly this loop, not the webhook
        sentMs = (System.nanoTime() - t0) / 1e6;
        CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).join();
        wallMs = (System.nanoTime() - t0) / 1e6;
      }
      PhaseCpu phase = PhaseCpu.now(named.pid()); // first, so the others' cost is outside
      CpuTime cpu = CpuTime.now().minus(cpuBefore);
      long[] kernel = processTicksAndSwitches();
      if (external != null) {
        external.close();
      }
      Set<Integer> opened = clientPorts(fixture.webhook.port());
      opened.removeAll(connectionsBefore);
      long messages = fixture.webhook.metrics().dnsUpdateMessages() - messagesBefore;
      if (failures.isEmpty()) {
        for (int i = 0; i < N; i += 97) {
          if (action.equals("Present")) {
            assertThat(named.txt(name(i))).contains(values.get(i));
          } else {
            assertThat(named.txt(name(i))).doesNotContain(values.get(i));
          }
        }
      }
      if (mode != null) {
        Arrays.sort(micros);
        line(
            "%-46s %-7s x%d, %s: %7.1f ms wall (all sent after %6.1f ms), %4d UPDATEs, latency p50 %6.1f ms"
                + " p99 %6.1f ms, %d failed %s",
            mode,
            action,
            N,
            transport.label(),
            wallMs,
            sentMs,
            messages,
            micros[N / 2] / 1000.0,
            micros[N * 99 / 100] / 1000.0,
            failures.size(),
            failures.isEmpty() ? "" : new java.util.TreeSet<>(failures));
        line(
            "%-46s %-7s CPU: webhook threads %6.1f ms (%.3f ms per challenge, ~%.0f%% user, from 10 ms ticks),"
                + " process %6.1f ms;"
                + " %d connections opened during the phase, %d open; load average %.2f",
            "",
            action,
            cpu.webhookNanos / 1e6,
            cpu.webhookNanos / 1e6 / N,
            100.0 * cpu.webhookUserNanos / Math.max(1, cpu.webhookNanos),
            cpu.processNanos / 1e6,
            opened.size(),
            clientPorts(fixture.webhook.port()).size(),
            ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        long userTicks = kernel[0] - kernelBefore[0];
        long systemTicks = kernel[1] - kernelBefore[1];
        if (go != null) {
          line(
              "%-46s %-7s Go caller (separate process): CPU %6.1f ms (%.3f ms per challenge), %d"
                  + " connection(s) used, %s",
              "",
              action,
              go.callerCpuMs(),
              go.callerCpuMs() / N,
              go.connections(),
              go.cipherSuite());
        }
        line(
            "%-46s %-7s %s: %.0f%% of CPU in the kernel, %.1f context switches per challenge",
            "",
            action,
            go != null ? "this JVM (the caller not in it)" : "whole process (client included)",
            100.0 * systemTicks / Math.max(1, userTicks + systemTicks),
            (kernel[2] - kernelBefore[2]) / (double) N);
        line("%-46s %-7s %s", "", action, phase.since(phaseBefore, 8));
      }
    }
    // a failed CleanUp leaves its value: remove whatever is left, so rounds start alike
    StringBuilder wipe = new StringBuilder("zone example.test.\n");
    for (int i = 0; i < N; i++) {
      wipe.append("update delete ").append(name(i)).append(" TXT\n");
    }
    named.nsupdate(TestKeys.ADMIN, wipe.toString().split("\n"));
  }

  /**
   * Every way a challenge can fail, counted: no answer (a reset, a REFUSED_STREAM the client does
   * not retry, a timeout), a status other than 201 (429 when the cap is reached), an answer over
   * another protocol than the row claims, {@code success: false}.
   */
  private static List<String> failuresOf(
      Transport transport, FrontProxyClient.Response r, Throwable e) {
    if (e != null) {
      Throwable cause =
          e instanceof java.util.concurrent.CompletionException && e.getCause() != null
              ? e.getCause()
              : e;
      if (cause instanceof java.io.UncheckedIOException u && u.getCause() != null) {
        cause = u.getCause();
      }
      return List.of("no answer: " + cause.getClass().getSimpleName() + " " + cause.getMessage());
    }
    List<String> out = new ArrayList<>();
    if (r.version() != transport.version()) {
      out.add("answered over " + r.version());
    }
    if (r.status() != 201) {
      out.add("HTTP " + r.status());
      return out;
    }
    var response = json(r.body()).get("response");
    if (!response.get("success").asBoolean()) {
      out.add(response.get("status").get("reason").asText());
    }
    return out;
  }

  /**
   * CPU time so far of the process and of the webhook's own threads (Jetty's {@code https-*}
   * workers and selector, the UPDATE batcher, DNS readers), apart from the client's threads in this
   * same process.
   */
  private record CpuTime(long processNanos, long webhookNanos, long webhookUserNanos) {
    static CpuTime now() {
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      long webhook = 0;
      long user = 0;
      for (ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
        if (t != null && isWebhookThread(t.getThreadName())) {
          webhook += Math.max(0, threads.getThreadCpuTime(t.getThreadId()));
          user += Math.max(0, threads.getThreadUserTime(t.getThreadId()));
        }
      }
      long process =
          ManagementFactory.getOperatingSystemMXBean()
                  instanceof com.sun.management.OperatingSystemMXBean os
              ? os.getProcessCpuTime()
              : 0;
      return new CpuTime(process, webhook, user);
    }

    private static boolean isWebhookThread(String name) {
      return name.startsWith("https") || name.startsWith("update-") || name.startsWith("dns-");
    }

    CpuTime minus(CpuTime before) {
      return new CpuTime(
          processNanos - before.processNanos,
          webhookNanos - before.webhookNanos,
          webhookUserNanos - before.webhookUserNanos);
    }
  }

  /**
   * This process's user and system CPU ticks ({@code /proc/self/stat}) and the context switches of
   * its live threads ({@code /proc/self/task/}{@code *}{@code /status}); zeros where there is no
   * /proc. The kernel's share is what a Java profile cannot see.
   */
  private static long[] processTicksAndSwitches() {
    long[] out = new long[3];
    try {
      String stat = Files.readString(Path.of("/proc/self/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      out[0] = Long.parseLong(f[11]); // utime, field 14
      out[1] = Long.parseLong(f[12]); // stime, field 15
      try (var tasks = Files.list(Path.of("/proc/self/task"))) {
        for (Path t : (Iterable<Path>) tasks::iterator) {
          try {
            for (String l : Files.readAllLines(t.resolve("status"))) {
              if (l.startsWith("voluntary_ctxt_switches:")
                  || l.startsWith("nonvoluntary_ctxt_switches:")) {
                out[2] += Long.parseLong(l.substring(l.indexOf(':') + 1).trim());
              }
            }
          } catch (java.io.IOException | RuntimeException gone) {
            // the thread ended meanwhile
          }
        }
      }
    } catch (java.io.IOException | RuntimeException e) {
      return new long[3];
    }
    return out;
  }

  /**
   * Client-side ports of established TCP connections to the webhook's port (Linux {@code
   * /proc/net/tcp} and {@code tcp6}); empty elsewhere. Those present after a phase and not before
   * were opened (and handshaken) during it.
   */
  private static Set<Integer> clientPorts(int serverPort) {
    Set<Integer> ports = new HashSet<>();
    List<String> rows = new ArrayList<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      try {
        rows.addAll(Files.readAllLines(Path.of(table)));
      } catch (java.io.IOException | RuntimeException e) {
        // no such table here
      }
    }
    try {
      for (String row : rows) {
        String[] f = row.trim().split("\\s+");
        if (f.length < 4 || !f[3].equals("01")) { // 01: ESTABLISHED
          continue;
        }
        int local = Integer.parseInt(f[1].substring(f[1].lastIndexOf(':') + 1), 16);
        int remote = Integer.parseInt(f[2].substring(f[2].lastIndexOf(':') + 1), 16);
        if (remote == serverPort) {
          ports.add(local);
        }
      }
    } catch (RuntimeException e) {
      return ports;
    }
    return ports;
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
