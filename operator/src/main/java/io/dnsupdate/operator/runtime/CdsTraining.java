package io.dnsupdate.operator.runtime;

import io.dnsupdate.api.DnsUpdateIssuer;
import io.dnsupdate.api.TsigKey;
import io.dnsupdate.cds.HangUpApi;
import io.dnsupdate.logging.LogLevels;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A start without an API server, for the class-data-sharing (AppCDS) archive the image ships.
 *
 * <p>Why: JDK 17 maps classes from an archive instead of loading, verifying and linking them from
 * the jars, which halves the time to {@code /readyz} (StartupBenchmark), but it archives only what
 * a run loaded ({@code -XX:ArchiveClassesAtExit}) and cannot create the archive by itself (JDK 19's
 * {@code -XX:+AutoCreateSharedArchive}). The image build has no API server and no credentials, so
 * this run goes as far as a real start goes without one: the real {@link Startup} (options,
 * logging, API client from a kubeconfig, meters, both reconcilers, leader election, informers)
 * against a loopback listener that takes the TLS ClientHello and hangs up, so the HTTP client and
 * the TLS handshake run up to the server's answer; the health and metrics endpoints answering a
 * request; and the JSON the informers and the leader election read at start (lists, watch events, a
 * Lease, an access review), read and written by the client's own serialization. Anything it misses
 * is loaded from the jars as before: the archive can make a start slower in no case.
 */
public final class CdsTraining {
  private static final Logger log = LoggerFactory.getLogger(CdsTraining.class);

  private CdsTraining() {}

  /**
   * Runs the dry start and returns; the caller exits, and the JVM writes the archive at exit.
   *
   * @param options the parsed options; the API server, the HTTP port and the Lease are replaced
   * @param env the process environment
   */
  public static void run(OperatorOptions options, Map<String, String> env) {
    LogLevels.apply(options.logLevel());
    log.info("dry start for the class-data archive: no API server, errors below are expected");
    try (HangUpApi api = HangUpApi.start()) {
      serveProbes();
      OperatorOptions dry = dryOptions(options, api.writeKubeconfig());
      Config config = Startup.config(dry);
      // one attempt: nothing will answer
      config.setRequestRetryBackoffLimit(0);
      try {
        Startup.start(dry, env, config).close();
      } catch (RuntimeException expected) {
        log.info("dry start ended as expected: {}", expected.getClass().getSimpleName());
      }
      try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
        readWhatAStartReads(client);
      }
    }
    log.info("dry start done");
  }

  private static OperatorOptions dryOptions(OperatorOptions options, Path kubeconfig) {
    return new OperatorOptions(
        Optional.of(kubeconfig),
        options.watchNamespaces(),
        true,
        Optional.of(HangUpApi.NAMESPACE),
        options.leaseName(),
        "127.0.0.1",
        0,
        options.logLevel(),
        options.probeInterval(),
        options.retryInterval(),
        options.recheckInterval(),
        false);
  }

  /** {@code /readyz}, {@code /healthz} and {@code /metrics} answer once each, as kubelet asks. */
  private static void serveProbes() {
    PrometheusMeterRegistry registry = Startup.meterRegistry();
    try (HttpEndpoints http =
        HttpEndpoints.start("127.0.0.1", 0, () -> true, () -> true, registry)) {
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      for (String path : List.of("/readyz", "/healthz", "/metrics")) {
        client.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + path))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Each kind read at start, written and read back as a list, a watch event and alone. */
  private static void readWhatAStartReads(KubernetesClient client) {
    // registers the custom kinds with the serialization, as the informers do
    client.resources(TsigKey.class);
    client.resources(DnsUpdateIssuer.class);
    KubernetesSerialization json = client.getKubernetesSerialization();
    List<Supplier<? extends HasMetadata>> kinds =
        List.of(
            () -> named(new TsigKey()),
            () -> named(new DnsUpdateIssuer()),
            () -> named(new Lease()),
            () -> named(new Secret()),
            () -> named(new ConfigMap()),
            () -> named(new Event()));
    for (Supplier<? extends HasMetadata> kind : kinds) {
      var resource = kind.get();
      String one = json.asJson(resource);
      json.unmarshal(one, resource.getClass());
      json.unmarshal("{\"type\":\"ADDED\",\"object\":" + one + "}", WatchEvent.class);
      json.unmarshal(
          "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"metadata\":{\"resourceVersion\":\"1\"},"
              + "\"items\":["
              + one
              + "]}",
          KubernetesResourceList.class);
    }
    json.unmarshal(json.asJson(new SelfSubjectRulesReview()), SelfSubjectRulesReview.class);
    json.unmarshal(json.asJson(new Status()), Status.class);
  }

  private static <R extends HasMetadata> R named(R resource) {
    resource.setMetadata(
        new ObjectMetaBuilder()
            .withName("training")
            .withNamespace(HangUpApi.NAMESPACE)
            .withResourceVersion("1")
            .withGeneration(1L)
            .build());
    return resource;
  }
}
