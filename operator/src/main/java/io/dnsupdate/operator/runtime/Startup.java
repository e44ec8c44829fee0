package io.dnsupdate.operator.runtime;

import io.dnsupdate.cli.UsageException;
import io.dnsupdate.logging.LogLevels;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the operator process from its options: client, metrics, leader election, HTTP. */
public final class Startup {
  private static final Logger log = LoggerFactory.getLogger(Startup.class);

  private Startup() {}

  /**
   * Starts everything and returns once the informers are synced.
   *
   * @param env the process environment ({@code HOSTNAME} names this replica)
   */
  public static RunningOperator start(OperatorOptions options, Map<String, String> env) {
    LogLevels.apply(options.logLevel());
    return start(options, env, config(options));
  }

  /** {@link #start(OperatorOptions, Map)} with the API client's configuration given. */
  static RunningOperator start(OperatorOptions options, Map<String, String> env, Config config) {
    String identity = identity(env);
    KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
    RunningOperator running = new RunningOperator();
    try {
      PrometheusMeterRegistry registry = meterRegistry();
      LeaderElectionConfiguration leaderElection =
          options.leaderElection() ? leaderElection(options, client, identity, running) : null;
      Operator operator =
          OperatorRuntime.create(
              client, OperatorRuntime.Settings.of(options, identity), registry, leaderElection);
      running.attach(operator);
      running.attach(
          HttpEndpoints.start(
              options.httpAddress(),
              options.httpPort(),
              running::healthy,
              running::ready,
              registry));
      log.info(
          "starting namespaces={} leaderElection={} identity={} httpPort={} server={}",
          options.watchNamespaces().isEmpty() ? "all" : String.join(",", options.watchNamespaces()),
          options.leaderElection(),
          identity,
          running.httpPort(),
          client.getMasterUrl());
      operator.start();
      running.started();
      log.info("started");
      return running;
    } catch (RuntimeException e) {
      running.close();
      client.close();
      throw e;
    }
  }

  /** Logs why the operator could not start, on one line. */
  public static void logFailure(RuntimeException e) {
    StringBuilder why = new StringBuilder(String.valueOf(e.getMessage()));
    for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      why.append(" <- ").append(c.getClass().getSimpleName()).append(": ").append(c.getMessage());
    }
    log.error("startup failed: {}", why);
  }

  private static LeaderElectionConfiguration leaderElection(
      OperatorOptions options, KubernetesClient client, String identity, RunningOperator running) {
    String namespace = options.leaseNamespace().orElse(client.getNamespace());
    if (namespace == null || namespace.isBlank()) {
      throw new UsageException(
          "leader election needs the Lease's namespace: set POD_NAMESPACE or --lease-namespace,"
              + " or turn it off with LEADER_ELECTION=false");
    }
    return new LeaderElectionConfiguration(
        options.leaseName(),
        namespace,
        LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
        LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE,
        LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE,
        identity,
        new LeaderCallbacks(
            running::startedLeading,
            running::stoppedLeading,
            leader -> log.info("leader election: leader is {}", leader)),
        // exiting is RunningOperator's decision: it must not happen on a deliberate close
        false);
  }

  /** The registry of {@code /metrics}, with the JVM's own meters. */
  static PrometheusMeterRegistry meterRegistry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    return registry;
  }

  /** The API client's configuration: the kubeconfig flag, else fabric8's own search. */
  /**
   * Retries of one API request inside fabric8's client, on 5xx answers and I/O errors: a few, for a
   * blip. Its default (10, doubling from 100 ms) held a reconcile thread for about 18 s before the
   * failure reached the status; JOSDK retries the whole reconcile with its own backoff and the
   * status says {@code ApiUnavailable} meanwhile.
   */
  static final int REQUEST_RETRIES = 3;

  static Config config(OperatorOptions options) {
    Config config =
        options
            .kubeconfig()
            .map(path -> Config.fromKubeconfig(path.toFile()))
            .orElseGet(() -> Config.autoConfigure(null));
    config.setRequestRetryBackoffLimit(REQUEST_RETRIES);
    return config;
  }

  private static String identity(Map<String, String> env) {
    String host = env.get("HOSTNAME");
    return host == null || host.isBlank()
        ? "dnsupdate-operator-" + UUID.randomUUID().toString().substring(0, 8)
        : host;
  }
}
