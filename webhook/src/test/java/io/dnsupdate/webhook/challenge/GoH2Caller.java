package io.dnsupdate.webhook.challenge;

import com.fasterxml.jackson.databind.JsonNode;
import io.dnsupdate.testkit.k8s.FrontProxyClient;
import io.dnsupdate.webhook.WebhookFixture;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * WebhookBenchmark's caller outside the webhook's JVM: {@code src/test/go/h2caller}, Go's HTTP/2
 * client as kube-apiserver's aggregator uses it, one connection, a stream per challenge (issue 11).
 * The in-process JDK and Jetty h2 clients share this JVM and the 2 cores with the webhook, and the
 * JDK's cost more CPU than the webhook; a separate Go process costs what the aggregator would, and
 * its CPU is reported apart ({@link Result#callerCpuMs()}). Same identity as the other rows: the
 * front-proxy client certificate and the headers of {@link FrontProxyClient#request(String)}.
 */
final class GoH2Caller {
  private static final Path MODULE = Path.of("src", "test", "go", "h2caller");
  private static final Path BINARY = Path.of("target", "h2caller").toAbsolutePath();
  private static Optional<String> built;

  private final Path dir;
  private final List<String> args;
  private int runs;

  private GoH2Caller(Path dir, List<String> args) {
    this.dir = dir;
    this.args = args;
  }

  /**
   * Builds the binary into {@code target/h2caller} once per JVM ({@code go} from the PATH or {@code
   * /usr/local/go/bin}); empty when it built, else why not (the Go rows are then left out, said
   * so).
   */
  static synchronized Optional<String> build() {
    if (built == null) {
      built = compile();
    }
    return built;
  }

  private static Optional<String> compile() {
    List<Path> candidates = new ArrayList<>();
    for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      if (!d.isEmpty()) {
        candidates.add(Path.of(d, "go"));
      }
    }
    candidates.add(Path.of("/usr/local/go/bin/go"));
    Path go = candidates.stream().filter(Files::isExecutable).findFirst().orElse(null);
    if (go == null) {
      return Optional.of("no go on the PATH nor in /usr/local/go/bin");
    }
    try {
      ProcessBuilder pb =
          new ProcessBuilder(go.toString(), "build", "-o", BINARY.toString(), ".")
              .directory(MODULE.toFile())
              .redirectErrorStream(true);
      // the toolchain at hand, never one fetched for go.mod's go line
      pb.environment().put("GOTOOLCHAIN", "local");
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
        p.destroyForcibly();
        return Optional.of("go build failed: " + out.strip());
      }
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of("go build failed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of("interrupted");
    }
  }

  /**
   * A caller of this fixture's webhook with {@code identity}'s headers: the front-proxy client
   * certificate and key and the serving CA written as PEM into the fixture's directory.
   */
  static GoH2Caller open(WebhookFixture fixture, FrontProxyClient identity) {
    Path dir = fixture.dir.resolve("go-caller");
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    HttpRequest template = identity.request(FrontProxyClient.CHALLENGE_PATH).GET().build();
    List<String> args = new ArrayList<>();
    args.add(BINARY.toString());
    args.add("-url=" + template.uri());
    args.add("-cert=" + fixture.frontProxyCert.writeCertPem(dir.resolve("client.crt")));
    args.add("-key=" + fixture.frontProxyCert.writeKeyPem(dir.resolve("client.key")));
    args.add("-cacert=" + fixture.servingCa.writeCertPem(dir.resolve("ca.crt")));
    template.timeout().ifPresent(t -> args.add("-timeout=" + t.toMillis() + "ms"));
    template
        .headers()
        .map()
        .forEach((name, values) -> values.forEach(v -> args.add("-H=" + name + ": " + v)));
    return new GoH2Caller(dir, List.copyOf(args));
  }

  /**
   * Starts a process that opens its connection (TLS handshake and a GET, outside the figures) and
   * waits; {@link Run#go()} then makes the calls, one per body, {@code concurrent} all at once or
   * else one at a time.
   */
  Run start(List<String> bodies, boolean concurrent) throws IOException {
    Path file = dir.resolve("bodies-" + runs++ + ".jsonl");
    Files.write(file, bodies, StandardCharsets.UTF_8);
    List<String> cmd = new ArrayList<>(args);
    cmd.add("-bodies=" + file);
    cmd.add("-mode=" + (concurrent ? "concurrent" : "sequential"));
    cmd.add("-wait");
    cmd.add("-latencies");
    Path stderr = dir.resolve("stderr-" + runs + ".txt");
    Process p = new ProcessBuilder(cmd).redirectError(stderr.toFile()).start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String ready = out.readLine();
    if (!"ready".equals(ready)) {
      p.destroyForcibly();
      throw new IllegalStateException("h2caller did not connect: " + Files.readString(stderr));
    }
    return new Run(p, out, stderr);
  }

  /** One started process: ready to call, connection open. */
  static final class Run implements AutoCloseable {
    private final Process process;
    private final BufferedReader out;
    private final Path stderr;

    private Run(Process process, BufferedReader out, Path stderr) {
      this.process = process;
      this.out = out;
      this.stderr = stderr;
    }

    /** Makes the calls and returns when every one is answered or failed. */
    Result go() throws IOException {
      Writer in = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
      in.write("\n");
      in.flush();
      String line = out.readLine();
      if (line == null) {
        throw new IllegalStateException("h2caller gave no result: " + Files.readString(stderr));
      }
      return Result.of(WebhookFixture.json(line));
    }

    /** Waits for the process to end (it does once it has printed its result). */
    @Override
    public void close() throws Exception {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("h2caller did not exit");
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException(
            "h2caller exited " + process.exitValue() + ": " + Files.readString(stderr));
      }
    }
  }

  /**
   * What h2caller printed: times in ms, {@code latenciesUs} in body order, {@code failures} one
   * entry per failed call (its reason: no answer, a status other than 201, an answer not over h2,
   * {@code success: false}), {@code connections} the connections the calls went over, {@code
   * cipherSuite} the TLS cipher suite the webhook chose.
   */
  record Result(
      double wallMs,
      double sentMs,
      long[] latenciesUs,
      List<String> failures,
      int connections,
      double callerCpuMs,
      String cipherSuite) {
    static Result of(JsonNode j) {
      long[] latencies = new long[j.get("latencies_us").size()];
      for (int i = 0; i < latencies.length; i++) {
        latencies[i] = j.get("latencies_us").get(i).asLong();
      }
      List<String> failures = new ArrayList<>();
      JsonNode reasons = j.path("failure_reasons");
      reasons
          .fieldNames()
          .forEachRemaining(
              r -> {
                for (int n = 0; n < reasons.get(r).asInt(); n++) {
                  failures.add(r);
                }
              });
      return new Result(
          j.get("wall_ms").asDouble(),
          j.get("sent_ms").asDouble(),
          latencies,
          failures,
          j.get("connections").asInt(),
          j.get("caller_cpu_ms").asDouble(),
          j.path("cipher_suite").asText());
    }
  }
}
