package io.dnsupdate.operator.issuer;

import io.dnsupdate.api.ApiConstants;
import io.dnsupdate.api.DnsUpdateIssuer;
import io.dnsupdate.api.DnsUpdateIssuerStatus;
import io.dnsupdate.api.TsigKey;
import io.dnsupdate.config.InvalidSpecException;
import io.dnsupdate.config.IssuerCredential;
import io.dnsupdate.config.IssuerSettings;
import io.dnsupdate.operator.runtime.OperatorRuntime;
import io.dnsupdate.operator.status.ApiFailureReporter;
import io.dnsupdate.operator.status.Conditions;
import io.dnsupdate.operator.status.EventReason;
import io.dnsupdate.operator.status.EventRecorder;
import io.dnsupdate.operator.status.SafeMessages;
import io.dnsupdate.operator.tsigkey.KeySecrets;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells whether each DnsUpdateIssuer really works: validate the spec, resolve the TsigKey and its
 * key Secret (same namespace) or, for a Kerberos issuer, publish its nameserver-config ConfigMap
 * and log in with its keytab ({@link KerberosEvaluator}), probe the nameserver, report. Probes
 * again every probe interval, sooner after a failure, and whenever the TsigKey's status or its key
 * Secret changes (a keytab Secret is not watched: it is read at each probe).
 */
@ControllerConfiguration(name = DnsUpdateIssuerReconciler.NAME)
public class DnsUpdateIssuerReconciler implements Reconciler<DnsUpdateIssuer> {
  /** Controller name (metrics, logs). */
  public static final String NAME = "dnsupdateissuer";

  private static final Logger log = LoggerFactory.getLogger(DnsUpdateIssuerReconciler.class);
  private static final String BY_KEY = "by-tsigkey";

  private final IssuerProbe probe;
  private final EventRecorder events;
  private final Duration probeInterval;
  private final Duration retryInterval;
  private final MeterRegistry meters;
  private final Clock clock;
  private final Conditions conditions;
  private final ApiFailureReporter apiFailures;
  private final TsigKeyEvaluator tsigKeys;
  private final KerberosEvaluator kerberos;
  private final NameserverConfigMaps nameserverConfigs;
  private volatile InformerEventSource<Secret, DnsUpdateIssuer> keySecrets;

  /**
   * @param probeInterval time between probes of a working issuer
   * @param retryInterval the longest time before probing again after a failure (sooner while the
   *     failure is recent, see {@link RetryBackoff}); also how long an unreachable or failing
   *     nameserver is retried before the issuer is Stalled
   */
  public DnsUpdateIssuerReconciler(
      Clock clock,
      IssuerProbe probe,
      EventRecorder events,
      Duration probeInterval,
      Duration retryInterval,
      MeterRegistry meters) {
    this.probe = Objects.requireNonNull(probe, "probe");
    this.events = Objects.requireNonNull(events, "events");
    this.probeInterval = Objects.requireNonNull(probeInterval, "probeInterval");
    this.retryInterval = Objects.requireNonNull(retryInterval, "retryInterval");
    this.meters = Objects.requireNonNull(meters, "meters");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.conditions = new Conditions(clock);
    this.apiFailures = new ApiFailureReporter(events, clock, retryInterval);
    this.tsigKeys = new TsigKeyEvaluator(probe);
    this.kerberos = new KerberosEvaluator(probe, clock);
    this.nameserverConfigs = new NameserverConfigMaps(events);
  }

  @Override
  public List<EventSource<?, DnsUpdateIssuer>> prepareEventSources(
      EventSourceContext<DnsUpdateIssuer> context) {
    IndexerResourceCache<DnsUpdateIssuer> issuers = context.getPrimaryCache();
    issuers.addIndexer(
        BY_KEY,
        i ->
            keyRef(i)
                .map(ref -> List.of(indexKey(i.getMetadata().getNamespace(), ref)))
                .orElse(List.of()));
    InformerEventSource<TsigKey, DnsUpdateIssuer> keys =
        new InformerEventSource<>(
            OperatorRuntime.lean(
                    InformerEventSourceConfiguration.from(TsigKey.class, DnsUpdateIssuer.class),
                    context)
                .withName(NAME + "-tsigkeys")
                .withSecondaryToPrimaryMapper(
                    k -> users(issuers, k.getMetadata().getNamespace(), k.getMetadata().getName()))
                .withPrimaryToSecondaryMapper(
                    (DnsUpdateIssuer i) ->
                        keyRef(i)
                            .map(ref -> Set.of(new ResourceID(ref, i.getMetadata().getNamespace())))
                            .orElse(Set.of()))
                .withOnUpdateFilter(
                    (now, before) -> !Objects.equals(now.getStatus(), before.getStatus()))
                .build(),
            context);
    keySecrets =
        new InformerEventSource<>(
            OperatorRuntime.lean(
                    InformerEventSourceConfiguration.from(Secret.class, DnsUpdateIssuer.class),
                    context)
                .withName(NAME + "-secrets")
                .withLabelSelector(KeySecrets.KEY_SECRET_SELECTOR)
                .withSecondaryToPrimaryMapper(
                    s -> {
                      Map<String, String> labels = s.getMetadata().getLabels();
                      String key = labels == null ? null : labels.get(ApiConstants.LABEL_TSIG_KEY);
                      return key == null
                          ? Set.of()
                          : users(issuers, s.getMetadata().getNamespace(), key);
                    })
                .withPrimaryToSecondaryMapper((DnsUpdateIssuer i) -> Set.of())
                .build(),
            context);
    return List.of(keys, keySecrets);
  }

  @Override
  public UpdateControl<DnsUpdateIssuer> reconcile(
      DnsUpdateIssuer issuer, Context<DnsUpdateIssuer> context) {
    if (IssuerStatuses.unseenGeneration(issuer) && parses(issuer)) {
      // Ready Unknown and Reconciling True for the new generation before the probe, which may
      // take as long as the nameserver timeouts: GitOps tools see work in progress, not the
      // previous generation's outcome
      issuer.setStatus(IssuerStatuses.probing(issuer, conditions, retryInterval, clock.instant()));
      return UpdateControl.patchStatus(issuer).rescheduleAfter(Duration.ZERO);
    }
    Timer.Sample sample = Timer.start(meters);
    Evaluation evaluation = evaluate(issuer, context);
    IssuerOutcome outcome = evaluation.outcome();
    sample.stop(meters.timer("dnsupdate.issuer.reconcile", "reason", outcome.reason().name()));
    outcome =
        outcome.withMessage(
            SafeMessages.of(outcome.message(), evaluation.current(), evaluation.previous()));
    announce(issuer, outcome);
    DnsUpdateIssuerStatus status =
        IssuerStatuses.from(issuer, outcome, conditions, retryInterval, clock.instant());
    UpdateControl<DnsUpdateIssuer> control;
    if (status.equals(issuer.getStatus())) {
      apiFailures.statusUpToDate(issuer);
      control = UpdateControl.noUpdate();
    } else {
      issuer.setStatus(status);
      control = UpdateControl.patchStatus(issuer);
    }
    if (outcome.ready()) {
      control.rescheduleAfter(probeInterval);
    } else if (outcome.reason() != IssuerReason.InvalidSpec) {
      control.rescheduleAfter(
          RetryBackoff.next(status.getConditions(), clock.instant(), retryInterval));
    }
    return control;
  }

  /**
   * The only API write of this reconciler is its status patch (reads come from informer caches):
   * when that fails there is no status to report in, so a Warning Event names the call and what to
   * grant, once per message, and the issuer is retried without spinning (see {@link
   * ApiFailureReporter}).
   */
  @Override
  public ErrorStatusUpdateControl<DnsUpdateIssuer> updateErrorStatus(
      DnsUpdateIssuer issuer, Context<DnsUpdateIssuer> context, Exception e) {
    return apiFailures.handle(issuer, context, e, null);
  }

  private Evaluation evaluate(DnsUpdateIssuer issuer, Context<DnsUpdateIssuer> context) {
    IssuerSettings settings;
    try {
      settings = IssuerSettings.parse(issuer.getSpec());
    } catch (InvalidSpecException e) {
      return new Evaluation(IssuerOutcome.unprobed(IssuerReason.InvalidSpec, e.getMessage()), null);
    }
    if (settings.credential() instanceof IssuerCredential.Kerberos kerberos) {
      nameserverConfigs.publish(issuer, settings, kerberos, context.getClient());
      IssuerOutcome outcome =
          this.kerberos.evaluate(issuer, settings, kerberos, context.getClient());
      return new Evaluation(limitRequired(issuer, outcome), null);
    }
    Evaluation tsig =
        tsigKeys.evaluate(
            settings,
            issuer.getMetadata().getNamespace(),
            ((IssuerCredential.TsigKeyRef) settings.credential()).name(),
            context.getSecondaryResource(TsigKey.class),
            id -> keySecrets.get(id));
    return new Evaluation(limitRequired(issuer, tsig.outcome()), tsig.keys());
  }

  /** KeyNotLimited becomes KeyTooBroad (not Ready) on an issuer that requires a limited key. */
  private static IssuerOutcome limitRequired(DnsUpdateIssuer issuer, IssuerOutcome outcome) {
    if (outcome.reason() != IssuerReason.KeyNotLimited
        || !Boolean.TRUE.equals(issuer.getSpec().getRequireLimitedKey())) {
      return outcome;
    }
    return new IssuerOutcome(
        IssuerReason.KeyTooBroad,
        outcome.message()
            + ". spec.requireLimitedKey is true: the issuer is not Ready until the nameserver"
            + " limits the key",
        outcome.zone(),
        outcome.primary(),
        outcome.keyName(),
        outcome.probedAt(),
        outcome.previousKeyOnly(),
        outcome.outsideGrants());
  }

  private static boolean parses(DnsUpdateIssuer issuer) {
    try {
      IssuerSettings.parse(issuer.getSpec());
      return true;
    } catch (InvalidSpecException e) {
      return false;
    }
  }

  /**
   * An Event when the Ready reason changes, or when the nameserver accepts only the previous key of
   * a rotation overlap (once per message: it names the key's fingerprint).
   */
  private void announce(DnsUpdateIssuer issuer, IssuerOutcome outcome) {
    Optional<Condition> before =
        Optional.ofNullable(issuer.getStatus())
            .flatMap(s -> Conditions.find(s.getConditions(), ApiConstants.CONDITION_READY));
    boolean reasonChanged =
        !outcome.reason().name().equals(before.map(Condition::getReason).orElse(null));
    boolean messageChanged =
        !outcome.message().equals(before.map(Condition::getMessage).orElse(null));
    if (outcome.previousKeyOnly()) {
      if (messageChanged) {
        events.record(issuer, EventReason.NameserverUsesPreviousKey, outcome.message());
      }
    } else if (reasonChanged) {
      events.record(issuer, outcome.reason().event(), outcome.message());
    }
    meters.counter("dnsupdate.issuer.outcomes", "reason", outcome.reason().name()).increment();
    log.info(
        "issuer={}/{} ready={} reason={} zone={} primary={}",
        issuer.getMetadata().getNamespace(),
        issuer.getMetadata().getName(),
        outcome.ready(),
        outcome.reason(),
        outcome.zone(),
        outcome.primary());
  }

  private static Optional<String> keyRef(DnsUpdateIssuer issuer) {
    if (issuer.getSpec() == null || issuer.getSpec().getTsigKeyRef() == null) {
      return Optional.empty();
    }
    String name = issuer.getSpec().getTsigKeyRef().getName();
    return name == null || name.isBlank() ? Optional.empty() : Optional.of(name.strip());
  }

  private static Set<ResourceID> users(
      IndexerResourceCache<DnsUpdateIssuer> issuers, String namespace, String keyName) {
    return issuers.byIndex(BY_KEY, indexKey(namespace, keyName)).stream()
        .map(ResourceID::fromResource)
        .collect(Collectors.toSet());
  }

  private static String indexKey(String namespace, String keyName) {
    return namespace + "/" + keyName;
  }
}
