package io.dnsupdate.operator.runtime;

import io.dnsupdate.operator.issuer.DnsUpdateIssuerReconciler;
import io.dnsupdate.operator.issuer.IssuerProbe;
import io.dnsupdate.operator.status.EventRecorder;
import io.dnsupdate.operator.tsigkey.TsigKeyReconciler;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import io.micrometer.core.instrument.MeterRegistry;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/** Builds a JOSDK {@link Operator} with both reconcilers; shared by the main class and tests. */
public final class OperatorRuntime {
  /**
   * Reconciles at once (JOSDK's default is 50). Reconciling a TsigKey or an issuer is a few API
   * calls or a DNS probe with a timeout; 10 threads keep up with 1,000 TsigKeys created at once
   * (OperatorMemoryBenchmark) while each thread costs stack and buffers in a small container.
   */
  static final int RECONCILIATION_THREADS = 10;

  /**
   * Objects per page when an informer lists (at start and after a lost watch). Unpaged, a restart
   * among 1,000 TsigKeys parsed every Secret of the namespace in one response per informer, and
   * that burst, not the caches, set the heap's peak (OperatorMemoryBenchmark).
   */
  public static final long LIST_PAGE = 250;

  private OperatorRuntime() {}

  /**
   * What the reconcilers need besides the API client.
   *
   * @param namespaces namespaces to watch; empty for all
   * @param instance this process's name in Events (the pod name)
   */
  public record Settings(
      Clock clock,
      SecureRandom random,
      Set<String> namespaces,
      Duration probeInterval,
      Duration retryInterval,
      Duration recheckInterval,
      String instance) {
    public Settings {
      Objects.requireNonNull(clock, "clock");
      Objects.requireNonNull(random, "random");
      namespaces = Set.copyOf(namespaces);
      Objects.requireNonNull(probeInterval, "probeInterval");
      Objects.requireNonNull(retryInterval, "retryInterval");
      Objects.requireNonNull(recheckInterval, "recheckInterval");
    }

    /** The settings the options ask for, with the system clock and a strong random source. */
    public static Settings of(OperatorOptions options, String instance) {
      return new Settings(
          Clock.systemUTC(),
          new SecureRandom(),
          options.watchNamespaces(),
          options.probeInterval(),
          options.retryInterval(),
          options.recheckInterval(),
          instance);
    }
  }

  /**
   * An operator (not started) reconciling TsigKeys and DnsUpdateIssuers through {@code client}.
   * Status is written with a JSON patch, not server-side apply: the operator is the only writer of
   * status, so apply gains nothing, and one code path then serves real and test API servers.
   *
   * @param leaderElection null to reconcile without electing a leader
   */
  public static Operator create(
      KubernetesClient client,
      Settings settings,
      MeterRegistry meters,
      LeaderElectionConfiguration leaderElection) {
    Operator operator =
        new Operator(
            o -> {
              o.withKubernetesClient(client)
                  .withUseSSAToPatchPrimaryResource(false)
                  .withConcurrentReconciliationThreads(RECONCILIATION_THREADS)
                  .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(meters));
              if (leaderElection != null) {
                o.withLeaderElectionConfiguration(leaderElection);
              }
            });
    EventRecorder events = new EventRecorder(client, settings.clock(), settings.instance());
    operator.register(
        new TsigKeyReconciler(
            settings.clock(), settings.random(), events, settings.recheckInterval()),
        c -> {
          configure(c, settings.namespaces());
          c.withRetry(retry(settings.recheckInterval()));
        });
    operator.register(
        new DnsUpdateIssuerReconciler(
            settings.clock(),
            new IssuerProbe(settings.clock()),
            events,
            settings.probeInterval(),
            settings.retryInterval(),
            meters),
        c -> {
          configure(c, settings.namespaces());
          c.withRetry(retry(settings.retryInterval()));
        });
    return operator;
  }

  /** First retry after this long, unless the cap is shorter. */
  static final Duration FIRST_RETRY = Duration.ofMillis(500);

  /**
   * Retries of a failed reconcile (an API call that failed: 409, 5xx, no answer): 0.5 s, doubling,
   * up to {@code cap}, for as long as it fails. JOSDK's default gives up after five attempts, and a
   * TsigKey that neither rotates nor imports has no timer of its own to try again.
   */
  static GenericRetry retry(Duration cap) {
    long capMillis = Math.max(1, cap.toMillis());
    return new GenericRetry()
        .setInitialInterval(Math.min(FIRST_RETRY.toMillis(), capMillis))
        .setIntervalMultiplier(2)
        .setMaxInterval(capMillis)
        .withoutMaxAttempts();
  }

  /**
   * An event source's informer as the controllers' own: lists paged by {@link #LIST_PAGE}, no
   * {@code managedFields} kept where one informer serves the kind.
   */
  public static <R extends HasMetadata> InformerEventSourceConfiguration.Builder<R> lean(
      InformerEventSourceConfiguration.Builder<R> source, EventSourceContext<?> context) {
    return source
        .withInformerListLimit(LIST_PAGE)
        .withItemStore(WithoutManagedFields.where1Informer(context));
  }

  private static <R extends HasMetadata> void configure(
      ControllerConfigurationOverrider<R> config, Set<String> namespaces) {
    if (namespaces.isEmpty()) {
      config.watchingAllNamespaces();
    } else {
      config.settingNamespaces(namespaces);
    }
    config.withInformerListLimit(LIST_PAGE);
    ItemStore<R> store = WithoutManagedFields.forNamespaces(namespaces);
    if (store != null) {
      config.withItemStore(store);
    }
  }
}
