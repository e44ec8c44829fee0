package io.dnsupdate.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The control-plane and cert-manager binaries built from the Go modules in {@code cluster/} by
 * {@code scripts/build-cluster.sh}, which builds what is missing into a cache keyed by the versions
 * and prints the directory on its last line.
 */
public record ClusterBinaries(Path dir) {

  // A cold build of Kubernetes from its modules on two cores; a warm one only checks the cache.
  private static final Duration BUILD_LIMIT = Duration.ofMinutes(60);

  private static ClusterBinaries built;

  /**
   * Builds what is missing (once per JVM) and returns the binaries; {@code DNSUPDATE_CLUSTER_BIN}
   * names a directory of already built ones instead.
   */
  public static synchronized ClusterBinaries get() {
    String prebuilt = System.getenv("DNSUPDATE_CLUSTER_BIN");
    if (built == null && prebuilt != null && !prebuilt.isBlank()) {
      built = new ClusterBinaries(Path.of(prebuilt));
    }
    if (built == null) {
      Path script = RepositoryFiles.find("scripts/build-cluster.sh");
      CommandResult result = Commands.run(List.of("bash", script.toString()), null, BUILD_LIMIT);
      if (result.exitCode() != 0) {
        throw new IllegalStateException(
            "scripts/build-cluster.sh failed (exit "
                + result.exitCode()
                + "):\n"
                + result.output());
      }
      String[] lines = result.output().strip().split("\n");
      ClusterBinaries bins = new ClusterBinaries(Path.of(lines[lines.length - 1].strip()));
      for (Path p :
          List.of(
              bins.etcd(),
              bins.kubeApiserver(),
              bins.kubeControllerManager(),
              bins.kubectl(),
              bins.certManagerController())) {
        if (!Files.isExecutable(p)) {
          throw new IllegalStateException(
              "scripts/build-cluster.sh did not leave " + p + ":\n" + result.output());
        }
      }
      built = bins;
    }
    return built;
  }

  /** go from PATH, or from Go's own install path when PATH lacks it. */
  public static String go() {
    Path installed = Path.of("/usr/local/go/bin/go");
    return Files.isExecutable(installed) ? installed.toString() : "go";
  }

  public Path etcd() {
    return dir.resolve("etcd");
  }

  public Path kubeApiserver() {
    return dir.resolve("kube-apiserver");
  }

  public Path kubeControllerManager() {
    return dir.resolve("kube-controller-manager");
  }

  public Path kubectl() {
    return dir.resolve("kubectl");
  }

  /** Our own main over cert-manager's controller packages ({@code cluster/certmanager}). */
  public Path certManagerController() {
    return dir.resolve("cm-controller");
  }
}
