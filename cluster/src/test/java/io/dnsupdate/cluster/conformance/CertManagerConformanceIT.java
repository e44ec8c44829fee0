package io.dnsupdate.cluster.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.testkit.ClusterBinaries;
import io.dnsupdate.testkit.NamedServer;
import io.dnsupdate.testkit.RepositoryFiles;
import io.dnsupdate.testkit.TestTsigKey;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * cert-manager's own DNS01 conformance suite ({@code test/acme}, RunBasic and RunExtended) against
 * the packaged webhook, through cert-manager's webhook client, a real kube-apiserver with its
 * aggregator, and a real BIND. The Go side is cluster/certmanager/conformance; this class starts
 * BIND with a fresh TSIG key, gets the binaries from scripts/build-cluster.sh, writes the manifests
 * the suite applies into each test namespace, and runs {@code go test}.
 */
class CertManagerConformanceIT {
  private static final String ZONE = "example.test";
  private static final String DOMAIN = "cert-manager-dns01-tests." + ZONE;
  private static final String CHALLENGE_NAME = "_acme-challenge." + DOMAIN + ".";
  private static final String ISSUER = "conformance";

  private static final Duration GO_TEST_TIMEOUT = Duration.ofMinutes(30);

  @TempDir Path work;

  private NamedServer named;

  @AfterEach
  void stopNamed() {
    if (named != null) {
      named.close();
    }
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.MINUTES)
  void basicAndExtendedPassThroughTheAggregator() throws Exception {
    Path repo = RepositoryFiles.find("scripts/build-cluster.sh").getParent().getParent();
    Path logs = Files.createDirectories(Path.of("target", "conformance").toAbsolutePath());
    Path operatorJar = repo.resolve("operator/target/dnsupdate-operator.jar");
    Path webhookJar = repo.resolve("webhook/target/dnsupdate-webhook.jar");
    assertThat(operatorJar).as("package the operator first (mvn -pl cluster -am package)").exists();
    assertThat(webhookJar).as("package the webhook first (mvn -pl cluster -am package)").exists();

    TestTsigKey key = freshKey();
    named =
        NamedServer.builder()
            .key(key)
            .primaryZone(
                ZONE,
                "@ SOA ns1.example.test. hostmaster.example.test. 1 60 60 86400 60\n"
                    + "@ NS ns1.example.test.\n"
                    + "ns1 A 127.0.0.1\n",
                List.of("grant " + key.name() + " name " + CHALLENGE_NAME + " TXT;"))
            .start();
    String dnsServer = named.address() + ":" + named.port();

    ClusterBinaries bin = ClusterBinaries.get();
    Path manifests = writeManifests(key, dnsServer);

    Path goLog = logs.resolve("go-test.log");
    int exit =
        runGoTest(
            repo.resolve("cluster/certmanager"),
            Map.ofEntries(
                Map.entry("TEST_ASSET_ETCD", bin.etcd().toString()),
                Map.entry("TEST_ASSET_KUBECTL", bin.kubectl().toString()),
                // cert-manager's test/apiserver panics in init() without it; TestMain then points
                // it at a wrapper that adds the front-proxy flags
                Map.entry("TEST_ASSET_KUBE_APISERVER", bin.kubeApiserver().toString()),
                Map.entry("KUBE_APISERVER_BIN", bin.kubeApiserver().toString()),
                Map.entry("DNSUPDATE_WEBHOOK_JAR", webhookJar.toString()),
                Map.entry("DNSUPDATE_OPERATOR_JAR", operatorJar.toString()),
                Map.entry("DNSUPDATE_CRDS_DIR", repo.resolve("crds").toString()),
                Map.entry("DNS_SERVER", dnsServer),
                Map.entry("DNS_ZONE", ZONE),
                Map.entry("CONFORMANCE_MANIFESTS", manifests.toString()),
                Map.entry("DNSUPDATE_ISSUER", ISSUER),
                Map.entry("JAVA", ProcessHandle.current().info().command().orElse("java")),
                Map.entry("CONFORMANCE_LOG_DIR", logs.toString()),
                Map.entry("KUBEBUILDER_CONTROLPLANE_START_TIMEOUT", "180s")),
            goLog);

    String out = Files.readString(goLog);
    assertThat(exit)
        .as("go test exit code; what failed:%n%s%nfull output: %s", failures(out), goLog)
        .isZero();
    assertThat(out)
        .contains("--- PASS: TestBasic/Basic/PresentRecord")
        .contains("--- PASS: TestExtended/Extended/DeletingOneRecordRetainsOthers")
        .doesNotContain("--- FAIL")
        .doesNotContain("--- SKIP");

    List<String> left = new ArrayList<>();
    for (Record r : named.records(ZONE)) {
      String owner = r.getName().toString().toLowerCase();
      if (r.getType() == Type.TXT
          && (owner.startsWith("_acme-challenge.") || owner.contains("cert-manager-dns01-tests"))) {
        left.add(r.toString());
      }
    }
    assertThat(left).as("challenge TXT records left in %s", ZONE).isEmpty();
  }

  /** Progress lines of the suite (t.Logf), which look like t.Errorf messages. */
  private static final List<String> PROGRESS =
      List.of("created fixture", "Calling Present", "is Ready");

  /** The lines of go test output that say what failed: results and t.Errorf messages. */
  private static String failures(String out) {
    StringBuilder b = new StringBuilder();
    for (String line : out.split("\n")) {
      String t = line.strip();
      if (t.startsWith("--- FAIL")
          || t.startsWith("--- SKIP")
          || t.startsWith("panic:")
          || (t.matches("^\\w+\\.go:\\d+: .*") && PROGRESS.stream().noneMatch(t::contains))) {
        b.append("  ").append(t).append('\n');
      }
    }
    return b.toString();
  }

  /** A key made for this run only, as tsig-keygen would: 32 random bytes for hmac-sha256. */
  private static TestTsigKey freshKey() {
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    return new TestTsigKey(
        "cert-manager-conformance.", "hmac-sha256", Base64.getEncoder().encodeToString(secret));
  }

  /**
   * What the suite applies into each of its namespaces: the key as the nameserver's administrators
   * would hand it over (a Secret), a TsigKey importing it, and the DnsUpdateIssuer. Written to a
   * private temporary directory, as it holds the key.
   */
  private Path writeManifests(TestTsigKey key, String dnsServer) throws IOException {
    Path dir = Files.createDirectory(work.resolve("manifests"));
    String yaml =
        """
        apiVersion: v1
        kind: Secret
        metadata:
          name: conformance-bind-key
        type: Opaque
        stringData:
          secret: "%s"
        ---
        apiVersion: dnsupdate.io/v1alpha1
        kind: TsigKey
        metadata:
          name: conformance
        spec:
          keyName: %s
          algorithm: %s
          importFrom:
            secretName: conformance-bind-key
        ---
        apiVersion: dnsupdate.io/v1alpha1
        kind: DnsUpdateIssuer
        metadata:
          name: %s
        spec:
          nameservers: ["%s"]
          zone: %s.
          tsigKeyRef:
            name: conformance
          domains: ["%s"]
          propagation:
            nameservers: ["%s"]
        """
            .formatted(
                key.secret(),
                key.name(),
                key.algorithm(),
                ISSUER,
                dnsServer,
                ZONE,
                DOMAIN,
                dnsServer);
    Path file = dir.resolve("dnsupdate.yaml");
    Files.writeString(file, yaml);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return dir;
  }

  /** Runs the Go suite, its output both into the log file and onto this test's output. */
  private static int runGoTest(Path module, Map<String, String> env, Path log) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
                ClusterBinaries.go(),
                "test",
                "-count=1",
                "-v",
                "-timeout",
                (GO_TEST_TIMEOUT.toMinutes() - 1) + "m",
                "./conformance/")
            .directory(module.toFile())
            .redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    Thread pump =
        new Thread(
            () -> {
              try (BufferedReader in =
                      new BufferedReader(
                          new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                  PrintStream file = new PrintStream(Files.newOutputStream(log), true, "UTF-8")) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                  file.println(line);
                  System.out.println("[go test] " + line);
                }
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            },
            "go-test-output");
    pump.start();
    if (!p.waitFor(GO_TEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      // go test's own -timeout fires first and prints where it hung; this is the backstop
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      pump.join(10_000);
      throw new AssertionError("go test did not finish within " + GO_TEST_TIMEOUT + "; see " + log);
    }
    pump.join(30_000);
    return p.exitValue();
  }
}
