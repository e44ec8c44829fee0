package io.dnsupdate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.testkit.IssuedCertificate;
import io.dnsupdate.testkit.PackagedJar;
import io.dnsupdate.testkit.TestPki;
import io.dnsupdate.testkit.k8s.MockKubernetesApi;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Figures, not assertions on time: run with {@code mvn -pl e2e -am verify -Pbench
 * -Dtest=StartupBenchmark}. From {@code java -jar} to the first 200 of {@code /readyz}, for the
 * packaged operator and webhook with the chart's environment against an API server on loopback,
 * {@value #RUNS} starts each, with the JVM options the images ship ({@link PackagedJar}), with
 * those and an AppCDS archive, beside the plain JVM, interleaved in one run. Each archive is the
 * one its image ships, written the way its Dockerfile writes it: {@code scripts/cds-archive.sh}, a
 * dry start without an API server. Results go to stdout and {@code e2e/target/bench-results.txt},
 * with the load average before and after.
 */
class StartupBenchmark {
  private static final int RUNS = 5;

  @TempDir Path work;

  private final StringBuilder report = new StringBuilder();

  @Test
  void measure() throws Exception {
    try (MockKubernetesApi api = MockKubernetesApi.start()) {
      api.applyCrds(LocalStack.crdsDir());
      MockKubernetesApi.answerLeaseAccessReview(api.server());
      TestPki frontProxyCa = TestPki.newCa("front-proxy-ca");
      api.installRequestHeaderConfig(frontProxyCa, List.of(LocalStack.FRONT_PROXY_CN));
      Path kubeconfig = api.writeKubeconfig(work.resolve("kubeconfig"));
      TestPki servingCa = TestPki.newCa("serving-ca");
      IssuedCertificate serving =
          servingCa.issueServer("dnsupdate-webhook", List.of("localhost"), List.of("127.0.0.1"));
      Path tls = Files.createDirectories(work.resolve("tls"));
      serving.writeChainPem(tls.resolve("tls.crt"));
      serving.writeKeyPem(tls.resolve("tls.key"));
      HttpClient http =
          HttpClient.newBuilder()
              .sslContext(servingCa.sslContext())
              .connectTimeout(Duration.ofSeconds(1))
              .build();
      line("%d CPUs, %d starts each, median and range; load average %s", cpus(), RUNS, load());
      for (String module : List.of("operator", "webhook")) {
        Path archive = work.resolve(module + ".jsa");
        imageArchive(module, archive);
        assertThat(archive).as("the training run wrote the archive").exists();
        Options[] all = Options.values();
        long[][] ms = new long[all.length][RUNS];
        // rounds interleave the options, so a burst of load elsewhere hits all of them alike
        for (int i = 0; i < RUNS; i++) {
          for (Options o : all) {
            ms[o.ordinal()][i] =
                startToReady(o.command(module, archive), module, kubeconfig, tls, http);
          }
        }
        for (Options o : all) {
          long[] m = ms[o.ordinal()];
          Arrays.sort(m);
          line(
              "%-8s %-52s start to /readyz: median %5d ms (%d-%d), %.2fx plain",
              module,
              o.label(module),
              m[RUNS / 2],
              m[0],
              m[RUNS - 1],
              (double) m[RUNS / 2] / ms[0][RUNS / 2]);
        }
      }
    }
    line("load average after: %s", load());
    Files.writeString(
        Path.of("target", "bench-results.txt"),
        report,
        StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING);
  }

  /** The JVM options compared. */
  enum Options {
    PLAIN("plain JVM (-XX:MaxRAMPercentage=75)"),
    SHIPPED("shipped <module>/jvm.options (C1 only, serial GC)"),
    SHIPPED_CDS("shipped, and an AppCDS archive");

    private final String label;

    Options(String label) {
      this.label = label;
    }

    String label(String module) {
      if (this != SHIPPED_CDS) {
        return label;
      }
      return "the image: shipped, and cds-archive.sh's archive";
    }

    /** The command line, with the archive a training run of the shipped options wrote. */
    List<String> command(String module, Path archive) {
      PackagedJar jar = PackagedJar.of(module);
      return switch (this) {
        case PLAIN ->
            List.of(PackagedJar.java(), "-XX:MaxRAMPercentage=75", "-jar", jar.jar().toString());
        case SHIPPED -> jar.command();
          // -Xshare:on fails rather than silently running without the archive
        case SHIPPED_CDS -> jar.command(List.of("-XX:SharedArchiveFile=" + archive, "-Xshare:on"));
      };
    }
  }

  /**
   * The module's archive as its image build writes it: <module>/Dockerfile runs the same script
   * with the same flags file and jar, with the JRE of the image.
   */
  private void imageArchive(String module, Path archive) throws Exception {
    assertThat(
            PackagedJar.of(module)
                .writeCdsArchive(archive, work.resolve(module + "-cds-archive.log")))
        .containsExactly("-XX:SharedArchiveFile=" + archive);
  }

  private static String load() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).strip();
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }

  private long startToReady(
      List<String> command, String module, Path kubeconfig, Path tls, HttpClient http)
      throws Exception {
    int port = freePort();
    Map<String, String> env = new HashMap<>();
    env.put("KUBECONFIG", kubeconfig.toString());
    env.put("LOG_LEVEL", "info");
    URI ready;
    if (module.equals("operator")) {
      env.put("WATCH_NAMESPACES", "");
      env.put("LEADER_ELECTION", "true");
      env.put("POD_NAMESPACE", "dnsupdate-system");
      env.put("HTTP_PORT", String.valueOf(port));
      ready = URI.create("http://127.0.0.1:" + port + "/readyz");
    } else {
      env.put("TLS_CERT_FILE", tls.resolve("tls.crt").toString());
      env.put("TLS_KEY_FILE", tls.resolve("tls.key").toString());
      env.put("HTTPS_PORT", String.valueOf(port));
      env.put("REQUESTHEADER_CONFIGMAP", "kube-system/extension-apiserver-authentication");
      ready = URI.create("https://127.0.0.1:" + port + "/readyz");
    }
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(work.resolve(module + ".log").toFile());
    builder.environment().putAll(env);
    long t0 = System.nanoTime();
    Process p = builder.start();
    try {
      long deadline = t0 + TimeUnit.SECONDS.toNanos(60);
      while (true) {
        assertThat(p.isAlive()).as("%s exited: %s", module, log(module)).isTrue();
        assertThat(System.nanoTime()).as("%s ready within 60 s", module).isLessThan(deadline);
        try {
          HttpResponse<Void> r =
              http.send(
                  HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(1)).build(),
                  HttpResponse.BodyHandlers.discarding());
          if (r.statusCode() == 200) {
            return (System.nanoTime() - t0) / 1_000_000;
          }
        } catch (java.io.IOException e) {
          // not listening yet
        }
        Thread.sleep(10); // the poll step of the measurement, not a wait for an outcome
      }
    } finally {
      p.destroy();
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  private String log(String module) {
    try {
      return Files.readString(work.resolve(module + ".log"));
    } catch (java.io.IOException e) {
      return e.toString();
    }
  }

  private static int cpus() {
    return Runtime.getRuntime().availableProcessors();
  }

  private static int freePort() throws java.io.IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private void line(String format, Object... args) {
    String s = String.format(Locale.ROOT, format, args);
    System.out.println("[bench] " + s);
    report.append(s).append('\n');
  }
}
