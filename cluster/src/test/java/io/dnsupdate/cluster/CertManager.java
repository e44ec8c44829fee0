package io.dnsupdate.cluster;

import io.dnsupdate.testkit.ClusterBinaries;
import io.dnsupdate.testkit.RepositoryFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The real cert-manager from the Go module {@code cluster/certmanager} pins: its CRDs and chart as
 * the module ships them (read from Go's module cache, never copied into this repository), and our
 * build of its controller.
 */
record CertManager(Path moduleDir) {

  /** Where Go keeps the module cluster/certmanager pins. */
  static CertManager fromModule() {
    Path module = RepositoryFiles.find("cluster/certmanager");
    try {
      Process p =
          new ProcessBuilder(
                  ClusterBinaries.go(),
                  "list",
                  "-m",
                  "-f",
                  "{{.Dir}}",
                  "github.com/cert-manager/cert-manager")
              .directory(module.toFile())
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (p.waitFor() != 0 || out.isEmpty()) {
        throw new IllegalStateException("go list -m cert-manager in " + module + ": " + out);
      }
      return new CertManager(Path.of(out));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The CRDs as released ({@code deploy/crds}). */
  Path crds() {
    return moduleDir.resolve("deploy/crds");
  }

  /**
   * cert-manager's chart (as released, with the version the release tool would fill in) rendered
   * for its controller's ServiceAccount, ClusterRoles and bindings only: no Deployments (nothing
   * schedules Pods here) and no admission webhooks (nothing would answer them).
   */
  Manifests controllerRbac(String namespace, Path work) throws IOException {
    Path chartDir = work.resolve("cert-manager-chart");
    Path source = moduleDir.resolve("deploy/charts/cert-manager");
    try (Stream<Path> files = Files.walk(source)) {
      for (Path f : files.toList()) {
        Path target = chartDir.resolve(source.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target);
        }
      }
    }
    String version = moduleDir.getFileName().toString().replaceFirst(".*@", "");
    String chartYaml =
        Files.readString(chartDir.resolve("Chart.template.yaml"))
            .replace("{{IS_PRERELEASE}}", "false")
            .replace("version: v0.0.0", "version: " + version)
            .replace("appVersion: v0.0.0", "appVersion: " + version);
    Files.writeString(chartDir.resolve("Chart.yaml"), chartYaml);
    return Manifests.render(chartDir, "cert-manager", namespace, Map.of(), work)
        .filter(
            Manifests.kind(
                    "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding")
                .and(Manifests.component("controller")));
  }

  /**
   * The controller as cert-manager's ServiceAccount (the kubeconfig), checking propagation only
   * against the given nameserver, as {@code --dns01-recursive-nameservers-only} does in a cluster
   * that cannot reach the zone's public servers.
   */
  ComponentProcess startController(
      Path kubeconfig, String clusterResourceNamespace, String nameserver, Path work) {
    List<String> cmd =
        List.of(
            ClusterBinaries.get().certManagerController().toString(),
            "--kubeconfig=" + kubeconfig,
            "--cluster-resource-namespace=" + clusterResourceNamespace,
            "--dns01-recursive-nameservers=" + nameserver,
            "--dns01-recursive-nameservers-only=true",
            "--dns01-check-retry-period=1s",
            "--v=2");
    return ComponentProcess.start("cert-manager", cmd, Map.of(), work);
  }
}
