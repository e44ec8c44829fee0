package io.dnsupdate.cluster;

import static org.awaitility.Awaitility.await;

import io.dnsupdate.api.ApiConstants;
import io.dnsupdate.api.TsigKey;
import io.dnsupdate.api.TsigKeySpec;
import io.dnsupdate.testkit.ClusterBinaries;
import io.dnsupdate.testkit.CommandResult;
import io.dnsupdate.testkit.JvmSettings;
import io.dnsupdate.testkit.KubeControlPlane;
import io.dnsupdate.testkit.PortReservation;
import io.dnsupdate.testkit.ProcessMemory;
import io.dnsupdate.testkit.RepositoryFiles;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory of the packaged operator against a real API server (etcd and kube-apiserver built from
 * Kubernetes' modules; no controller manager), side by side for two JVM settings in one run: the
 * image's former entry point ({@code -XX:MaxRAMPercentage=75} in the chart's former 512 MiB limit,
 * emulated with {@code -XX:MaxRAM}) and the shipped {@code operator/jvm.options} in the chart's
 * present limit. Each setting watches namespaces of its own, so each creates its own keys:
 *
 * <ul>
 *   <li>start-up: time from {@code java} to {@code /readyz} answering 200 with nothing to reconcile
 *       (median of 5, the settings taken in turn), and RSS then;
 *   <li>1,000 TsigKeys created in one namespace while it runs: peak RSS ({@code VmHWM}) once every
 *       key is Ready (key Secret and nameserver-config Secret written, status patched);
 *   <li>a fresh process on those 1,000 Ready keys: time to {@code /readyz}, and peak RSS after it
 *       has listed, cached and reconciled them all again.
 * </ul>
 *
 * Figures only, printed and written to {@code target/bench-results-operator-memory.txt}; never
 * asserted. {@code -Dbench.nmt=true} adds native memory tracking and writes {@code jcmd} summaries
 * beside it; {@code -Dbench.jvm="name=FLAGS;..."} measures more settings ({@code @shipped} in FLAGS
 * stands for the shipped options file, {@code env:NAME=VALUE} sets a variable); {@code
 * -Dbench.baseline=DIR} adds the former flags on the jar built in another checkout DIR (e.g. the
 * main branch before a change); {@code -Dbench.only=baseline,shipped} measures only the settings
 * named. Runs with NMT carry its own few MiB of overhead in their RSS.
 */
class OperatorMemoryBenchmark {
  /** The chart's present memory limit of the operator container (values.yaml). */
  static final String LIMIT = "320m";

  /** The chart's former limit, in which the former entry point ran. */
  static final String FORMER_LIMIT = "512m";

  /**
   * One namespace per setting, watched alone: one informer per kind, as with the chart's default of
   * watching all namespaces (each watched namespace adds informers and their threads).
   */
  static final int NAMESPACES = 1;

  static final int KEYS_PER_NAMESPACE = 1000;

  /** After /readyz, how long a restarted operator is given to reconcile the existing keys. */
  static final Duration RESYNC = Duration.ofSeconds(30);

  @TempDir Path work;
  private final StringBuilder report = new StringBuilder();
  private final boolean nmt = Boolean.getBoolean("bench.nmt");
  private final HttpClient http = HttpClient.newHttpClient();

  private void line(String format, Object... args) {
    String l = String.format(format, args);
    System.out.println("[operator-memory] " + l);
    report.append(l).append('\n');
  }

  static Map<String, List<String>> settings() {
    return JvmSettings.of("operator", FORMER_LIMIT, LIMIT);
  }

  @Test
  void peakRss() throws Exception {
    try (KubeControlPlane plane =
        KubeControlPlane.builder()
            .binaries(ClusterBinaries.get())
            .withoutControllerManager()
            .start()) {
      kubectlOk(plane, "apply", "--server-side", "-f", RepositoryFiles.find("crds").toString());
      kubectlOk(plane, "wait", "--for=condition=Established", "crd", "--all", "--timeout=60s");
      Map<String, List<String>> settings = settings();
      settings.forEach((name, command) -> line("%s: %s", name, String.join(" ", command)));
      startUps(plane, settings);
      for (var s : settings.entrySet()) {
        List<String> command = new ArrayList<>(s.getValue());
        if (nmt) {
          command.add(1, "-XX:NativeMemoryTracking=summary");
        }
        try {
          measure(plane, s.getKey(), command);
        } catch (RuntimeException e) {
          line("%-8s failed: %s", s.getKey(), e.getMessage());
        }
      }
    } finally {
      Files.writeString(
          Path.of("target", "bench-results-operator-memory.txt"),
          report,
          StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING);
    }
  }

  /** The namespaces of one setting (made if missing), empty until it creates keys. */
  private static List<String> namespaces(KubeControlPlane plane, String name) {
    List<String> namespaces = new ArrayList<>();
    for (int i = 0; i < NAMESPACES; i++) {
      String ns = "bench-" + name + "-" + i;
      namespaces.add(ns);
      if (plane.admin().namespaces().withName(ns).get() == null) {
        plane
            .admin()
            .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
            .create();
      }
    }
    return namespaces;
  }

  /**
   * Start-up to /readyz with nothing to reconcile, 5 rounds taking the settings in turn (without
   * NMT), so that a busy machine slows each setting alike; the median and every figure.
   */
  private void startUps(KubeControlPlane plane, Map<String, List<String>> settings)
      throws IOException {
    Map<String, List<Long>> millis = new LinkedHashMap<>();
    Map<String, Long> rss = new LinkedHashMap<>();
    for (int round = 0; round < 5; round++) {
      for (var s : settings.entrySet()) {
        List<String> namespaces = namespaces(plane, s.getKey());
        try (Started op =
            start(plane, s.getKey() + "-startup-" + round, s.getValue(), namespaces)) {
          millis.computeIfAbsent(s.getKey(), k -> new ArrayList<>()).add(op.millisToReady);
          rss.put(s.getKey(), ProcessMemory.rssMiB(op.process.pid()));
          if (round == 0) {
            diagnose(s.getKey(), "ready", op.process.pid());
          }
        }
      }
    }
    for (var m : millis.entrySet()) {
      line(
          "%-8s start-up to /readyz, nothing to reconcile: median %d ms (%s); RSS when ready %d MiB",
          m.getKey(),
          m.getValue().stream().sorted().toList().get(2),
          m.getValue(),
          rss.get(m.getKey()));
    }
  }

  private void measure(KubeControlPlane plane, String name, List<String> command) throws Exception {
    KubernetesClient admin = plane.admin();
    List<String> namespaces = namespaces(plane, name);

    try (Started op = start(plane, name + "-create", command, namespaces)) {
      long t0 = System.nanoTime();
      createKeys(admin, namespaces);
      awaitAllReady(admin, namespaces, op.process);
      long pid = op.process.pid();
      line(
          "%-8s %,d TsigKeys created and Ready in %d s: peak RSS %d MiB, RSS %d MiB, threads %d",
          name,
          NAMESPACES * KEYS_PER_NAMESPACE,
          (System.nanoTime() - t0) / 1_000_000_000,
          ProcessMemory.peakRssMiB(pid),
          ProcessMemory.rssMiB(pid),
          ProcessMemory.threads(pid));
      diagnose(name, "create", pid);
    }

    try (Started op = start(plane, name + "-restart", command, namespaces)) {
      long pid = op.process.pid();
      Thread.sleep(RESYNC.toMillis());
      line(
          "%-8s restarted on %,d Ready TsigKeys: /readyz after %d ms, peak RSS %d MiB (within"
              + " %d s of ready), RSS %d MiB, threads %d",
          name,
          NAMESPACES * KEYS_PER_NAMESPACE,
          op.millisToReady,
          ProcessMemory.peakRssMiB(pid),
          RESYNC.toSeconds(),
          ProcessMemory.rssMiB(pid),
          ProcessMemory.threads(pid));
      diagnose(name, "restart", pid);
    }
  }

  private static void createKeys(KubernetesClient admin, List<String> namespaces) {
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<CompletableFuture<Void>> creations = new ArrayList<>();
      for (String ns : namespaces) {
        for (int i = 0; i < KEYS_PER_NAMESPACE; i++) {
          String name = "key-" + i;
          TsigKey key = new TsigKey();
          key.setMetadata(new ObjectMetaBuilder().withNamespace(ns).withName(name).build());
          key.setSpec(new TsigKeySpec());
          key.getSpec().setKeyName(TsigKey.defaultKeyName(name, ns));
          creations.add(CompletableFuture.runAsync(() -> admin.resource(key).create(), pool));
        }
      }
      creations.forEach(CompletableFuture::join);
    } finally {
      pool.shutdownNow();
    }
  }

  private static void awaitAllReady(
      KubernetesClient admin, List<String> namespaces, ComponentProcess operator) {
    await("every TsigKey Ready")
        .atMost(Duration.ofMinutes(10))
        .pollInterval(Duration.ofSeconds(2))
        .until(
            () -> {
              if (!operator.isAlive()) {
                throw new IllegalStateException("the operator exited:\n" + operator.tail(20));
              }
              return ready(admin, namespaces) == NAMESPACES * KEYS_PER_NAMESPACE;
            });
  }

  private static long ready(KubernetesClient admin, List<String> namespaces) {
    long ready = 0;
    for (String ns : namespaces) {
      ready +=
          admin.resources(TsigKey.class).inNamespace(ns).list().getItems().stream()
              .filter(
                  k ->
                      k.getStatus() != null
                          && k.getStatus().getConditions() != null
                          && k.getStatus().getConditions().stream()
                              .anyMatch(
                                  c ->
                                      ApiConstants.CONDITION_READY.equals(c.getType())
                                          && "True".equals(c.getStatus())))
              .count();
    }
    return ready;
  }

  /** An operator process that answered /readyz, and how long that took from its start. */
  private record Started(ComponentProcess process, PortReservation port, long millisToReady)
      implements AutoCloseable {
    @Override
    public void close() {
      process.close();
      port.close();
    }
  }

  private Started start(
      KubeControlPlane plane, String name, List<String> command, List<String> namespaces)
      throws IOException {
    Map<String, String> env = new HashMap<>();
    env.put("KUBECONFIG", plane.adminKubeconfig().toString());
    env.put("WATCH_NAMESPACES", String.join(",", namespaces));
    env.put("LEADER_ELECTION", "false");
    env.put("HTTP_ADDRESS", "127.0.0.1");
    env.put("LOG_LEVEL", "info");
    env.put("HOSTNAME", name);
    List<String> words = new ArrayList<>();
    for (String w : command) {
      if (w.startsWith("env:")) {
        String[] kv = w.substring(4).split("=", 2);
        env.put(kv[0], kv[1]);
      } else {
        words.add(w);
      }
    }
    PortReservation port = PortReservation.reserve("127.0.0.1");
    try {
      env.put("HTTP_PORT", String.valueOf(port.port()));
      URI readyz = URI.create("http://127.0.0.1:" + port.port() + "/readyz");
      long t0 = System.nanoTime();
      ComponentProcess p = ComponentProcess.start(name, words, env, work);
      try {
        await(name + " /readyz")
            .atMost(Duration.ofMinutes(2))
            .pollInterval(Duration.ofMillis(20))
            .ignoreExceptions()
            .until(
                () -> {
                  if (!p.isAlive()) {
                    throw new AssertionError(p.tail(40));
                  }
                  return http.send(
                              HttpRequest.newBuilder(readyz).build(),
                              HttpResponse.BodyHandlers.discarding())
                          .statusCode()
                      == 200;
                });
      } catch (RuntimeException | Error e) {
        String tail = p.tail(40);
        p.close();
        throw new IllegalStateException(name + " did not become ready:\n" + tail, e);
      }
      return new Started(p, port, (System.nanoTime() - t0) / 1_000_000);
    } catch (RuntimeException e) {
      port.close();
      throw e;
    }
  }

  private void diagnose(String name, String load, long pid) throws IOException {
    if (!nmt) {
      return;
    }
    Files.writeString(
        Path.of("target", "bench-operator-nmt-" + name + "-" + load + ".txt"),
        ProcessMemory.diagnosis(pid));
  }

  private static void kubectlOk(KubeControlPlane plane, String... args) {
    CommandResult r = plane.kubectl(args);
    if (!r.ok()) {
      throw new IllegalStateException("kubectl " + String.join(" ", args) + ":\n" + r.output());
    }
  }
}
