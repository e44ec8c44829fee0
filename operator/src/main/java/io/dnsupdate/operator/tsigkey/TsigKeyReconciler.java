package io.dnsupdate.operator.tsigkey;

import io.dnsupdate.api.ApiConstants;
import io.dnsupdate.api.DnsUpdateIssuer;
import io.dnsupdate.api.TsigKey;
import io.dnsupdate.api.TsigKeyStatus;
import io.dnsupdate.config.InvalidSpecException;
import io.dnsupdate.config.KeySettings;
import io.dnsupdate.operator.runtime.OperatorRuntime;
import io.dnsupdate.operator.status.ApiCallException;
import io.dnsupdate.operator.status.ApiFailureReporter;
import io.dnsupdate.operator.status.Conditions;
import io.dnsupdate.operator.status.EventReason;
import io.dnsupdate.operator.status.EventRecorder;
import io.dnsupdate.operator.status.SafeMessages;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.TransformingItemStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each TsigKey's key Secret and nameserver-config Secret as {@link DesiredKeySecret} and
 * {@link DesiredNameserverConfig} say: read, decide, write, report. Secrets are read straight from
 * the API server, never from a cache, so a stale cache can never make it generate a second key;
 * writes are create (fails if the Secret appeared) or update at the read resourceVersion. Secrets
 * named in {@code importFrom} are watched (their metadata only is cached) so a changed or deleted
 * source is seen at once; the recheck interval stays as a safety net. A failed read or write (or
 * status patch) is reported by {@link #updateErrorStatus} and clears on the next success.
 */
@ControllerConfiguration(name = TsigKeyReconciler.NAME)
public class TsigKeyReconciler implements Reconciler<TsigKey> {
  /** Controller name (metrics, logs). */
  public static final String NAME = "tsigkey";

  private static final Logger log = LoggerFactory.getLogger(TsigKeyReconciler.class);
  private static final Duration MIN_DELAY = Duration.ofMillis(200);
  private static final String BY_IMPORT_SOURCE = "by-import-source";
  private static final String SECRETS = "secrets";

  private final Clock clock;
  private final SecureRandom random;
  private final EventRecorder events;
  private final Duration recheckInterval;
  private final Conditions conditions;
  private final ApiFailureReporter apiFailures;
  private volatile InformerEventSource<DnsUpdateIssuer, TsigKey> issuers;

  /**
   * @param recheckInterval how often to re-read a user's Secret to import from even without a watch
   *     event, and to retry after a conflict
   */
  public TsigKeyReconciler(
      Clock clock, SecureRandom random, EventRecorder events, Duration recheckInterval) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.random = Objects.requireNonNull(random, "random");
    this.events = Objects.requireNonNull(events, "events");
    this.recheckInterval = Objects.requireNonNull(recheckInterval, "recheckInterval");
    this.conditions = new Conditions(clock);
    this.apiFailures = new ApiFailureReporter(events, clock, recheckInterval);
  }

  @Override
  public List<EventSource<?, TsigKey>> prepareEventSources(EventSourceContext<TsigKey> context) {
    // Our Secrets: a deleted or edited one is put back.
    InformerEventSource<Secret, TsigKey> secrets =
        new InformerEventSource<>(
            OperatorRuntime.lean(
                    InformerEventSourceConfiguration.from(Secret.class, TsigKey.class), context)
                .withName(NAME + "-secrets")
                .withLabelSelector(KeySecrets.MANAGED_SELECTOR)
                .withSecondaryToPrimaryMapper(TsigKeyReconciler::ownerOf)
                .build(),
            context);
    // Issuers: their domains become update-policy grants. An issuer maps to every TsigKey of its
    // namespace, so a key it stopped using also loses its grants.
    issuers =
        new InformerEventSource<>(
            OperatorRuntime.lean(
                    InformerEventSourceConfiguration.from(DnsUpdateIssuer.class, TsigKey.class),
                    context)
                .withName(NAME + "-issuers")
                .withSecondaryToPrimaryMapper(
                    issuer ->
                        context
                            .getPrimaryCache()
                            .list(issuer.getMetadata().getNamespace())
                            .map(ResourceID::fromResource)
                            .collect(Collectors.toSet()))
                .withOnUpdateFilter(TsigKeyReconciler::grantsMayChange)
                .build(),
            context);
    // Users' Secrets named in importFrom: any Secret of the watched namespaces may be one, so
    // all are watched, and the cache keeps their metadata only (the reconciler reads the source
    // itself): no key bytes of other applications sit in the operator's memory. With several
    // watched namespaces JOSDK shares this store between their informers, so a relist in one may
    // report another's Secrets as gone: harmless, as every event only makes the reconciler read
    // the source from the API server.
    context
        .getPrimaryCache()
        .addIndexer(
            BY_IMPORT_SOURCE,
            k ->
                k.getSpec() == null
                        || k.getSpec().getImportFrom() == null
                        || k.getSpec().getImportFrom().getSecretName() == null
                    ? List.of()
                    : List.of(
                        k.getMetadata().getNamespace()
                            + "/"
                            + k.getSpec().getImportFrom().getSecretName().strip()));
    InformerEventSource<Secret, TsigKey> sources =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Secret.class, TsigKey.class)
                .withInformerListLimit(OperatorRuntime.LIST_PAGE)
                .withName(NAME + "-import-sources")
                .withItemStore(new TransformingItemStore<>(TsigKeyReconciler::metadataOnly))
                .withSecondaryToPrimaryMapper(
                    s ->
                        context
                            .getPrimaryCache()
                            .byIndex(
                                BY_IMPORT_SOURCE,
                                s.getMetadata().getNamespace() + "/" + s.getMetadata().getName())
                            .stream()
                            .map(ResourceID::fromResource)
                            .collect(Collectors.toSet()))
                .withPrimaryToSecondaryMapper((TsigKey k) -> Set.of())
                .build(),
            context);
    return List.of(secrets, issuers, sources);
  }

  /** A Secret without its data: what the import-source cache keeps. */
  private static Secret metadataOnly(Secret secret) {
    return new SecretBuilder()
        .withNewMetadata()
        .withName(secret.getMetadata().getName())
        .withNamespace(secret.getMetadata().getNamespace())
        .withUid(secret.getMetadata().getUid())
        .withResourceVersion(secret.getMetadata().getResourceVersion())
        .endMetadata()
        .build();
  }

  @Override
  public UpdateControl<TsigKey> reconcile(TsigKey key, Context<TsigKey> context) {
    KubernetesClient client = context.getClient();
    String namespace = key.getMetadata().getNamespace();
    KeySettings settings;
    try {
      settings = KeySettings.parse(key);
    } catch (InvalidSpecException e) {
      return notReady(
          key, TsigKeyReason.InvalidSpec, EventReason.InvalidSpec, e.getMessage(), null, null);
    }

    Secret existing = get(client, namespace, settings.secretName());
    Secret existingConfig = get(client, namespace, settings.nameserverConfigSecretName());
    Optional<String> configConflict =
        existingConfig == null ? Optional.empty() : KeySecrets.conflict(existingConfig, key);
    if (configConflict.isPresent()) {
      return notReady(
          key,
          TsigKeyReason.SecretConflict,
          EventReason.SecretConflict,
          "Secret '"
              + settings.nameserverConfigSecretName()
              + "' exists and "
              + configConflict.get()
              + "; the operator leaves it alone: set spec.nameserverConfigSecretName to another"
              + " name, or delete that Secret (and keep it out of Git: the operator writes it)",
          null,
          recheckInterval);
    }
    Secret importSource =
        settings.importFrom().map(i -> get(client, namespace, i.secretName())).orElse(null);

    DesiredKeySecret.Result result;
    try {
      result = DesiredKeySecret.compute(key, settings, existing, importSource, clock, random);
    } catch (KeyNotUsableException e) {
      EventReason reason =
          e.reason() == TsigKeyReason.SecretConflict
              ? EventReason.SecretConflict
              : EventReason.ImportFailed;
      return notReady(
          key, e.reason(), reason, e.getMessage(), e.sourceMissingSince(), recheckInterval);
    }

    write(client, existing, result.secret());
    announce(key, settings, result);

    List<DnsUpdateIssuer> users =
        DesiredNameserverConfig.users(key, issuers.list(namespace, i -> true).toList());
    write(
        client,
        existingConfig,
        DesiredNameserverConfig.secret(key, settings, result.key().current(), users));

    int grants = DesiredNameserverConfig.challengeNames(users).size();
    TsigKeyStatus status = TsigKeyStatuses.ready(key, settings, result, grants, conditions);
    UpdateControl<TsigKey> control = withStatus(key, status);
    nextReconcile(result, settings).ifPresent(control::rescheduleAfter);
    return control;
  }

  /**
   * A failed API call (a Secret read or write, or the status patch): Ready False with a reason and
   * message naming the call and what to grant or fix, and a Warning Event; see {@link
   * ApiFailureReporter}. The next successful reconcile writes Ready True again.
   */
  @Override
  public ErrorStatusUpdateControl<TsigKey> updateErrorStatus(
      TsigKey key, Context<TsigKey> context, Exception e) {
    return apiFailures.handle(
        key,
        context,
        e,
        (k, failure) -> {
          TsigKeyStatus status = TsigKeyStatuses.apiFailure(k, failure, conditions);
          boolean news = news(k, failure.reason(), failure.message());
          k.setStatus(status);
          return news;
        });
  }

  /** True when the Ready reason or message would change. */
  private static boolean news(TsigKey key, Enum<?> reason, String message) {
    Optional<Condition> before =
        Optional.ofNullable(key.getStatus())
            .flatMap(s -> Conditions.find(s.getConditions(), ApiConstants.CONDITION_READY));
    return before.isEmpty()
        || !reason.name().equals(before.get().getReason())
        || !message.equals(before.get().getMessage());
  }

  private Optional<Duration> nextReconcile(DesiredKeySecret.Result result, KeySettings settings) {
    Optional<Duration> untilChange =
        result
            .nextChange()
            .map(at -> Duration.between(clock.instant(), at))
            .map(d -> d.compareTo(MIN_DELAY) < 0 ? MIN_DELAY : d.plus(Duration.ofMillis(50)));
    if (settings.importFrom().isEmpty()) {
      return untilChange;
    }
    return Optional.of(
        untilChange.filter(d -> d.compareTo(recheckInterval) < 0).orElse(recheckInterval));
  }

  private void announce(TsigKey key, KeySettings settings, DesiredKeySecret.Result result) {
    String config = "Secret '" + settings.nameserverConfigSecretName() + "'";
    switch (result.decision()) {
      case GENERATED ->
          events.record(
              key,
              EventReason.KeyGenerated,
              result.detail()
                  + "; give the nameserver the key clause and update-policy grants from "
                  + config);
      case RECREATED ->
          events.record(
              key,
              EventReason.SecretRecreated,
              result.detail()
                  + ": the nameserver must learn the new key (key clause in "
                  + config
                  + ") before challenges can succeed again");
      case ROTATED ->
          events.record(
              key,
              EventReason.KeyRotated,
              result.detail() + "; give the nameserver the new key clause from " + config);
      case OVERLAP_ENDED -> events.record(key, EventReason.PreviousKeyRemoved, result.detail());
      case IMPORTED -> events.record(key, EventReason.KeyImported, result.detail());
      case SOURCE_MISSING -> {
        // once per episode: the detail names the time the source went missing
        if (!result.sourceMissingSince().equals(missingSince(key))) {
          events.record(key, EventReason.ImportSecretMissing, result.detail());
        }
      }
      case UNCHANGED -> {
        // nothing happened worth telling
      }
    }
    if (result.decision() != DesiredKeySecret.Decision.UNCHANGED
        && result.decision() != DesiredKeySecret.Decision.SOURCE_MISSING) {
      log.info(
          "tsigkey={}/{} decision={} fingerprint={}",
          key.getMetadata().getNamespace(),
          key.getMetadata().getName(),
          result.decision(),
          result.key().current().fingerprint());
    }
  }

  private UpdateControl<TsigKey> notReady(
      TsigKey key,
      TsigKeyReason reason,
      EventReason eventReason,
      String message,
      Instant sourceMissingSince,
      Duration retryAfter) {
    String safe = SafeMessages.truncate(message);
    if (news(key, reason, safe)) {
      events.record(key, eventReason, safe);
    }
    log.info(
        "tsigkey={}/{} ready=False reason={}",
        key.getMetadata().getNamespace(),
        key.getMetadata().getName(),
        reason);
    UpdateControl<TsigKey> control =
        withStatus(
            key, TsigKeyStatuses.notReady(key, reason, safe, sourceMissingSince, conditions));
    if (retryAfter != null) {
      control.rescheduleAfter(retryAfter);
    }
    return control;
  }

  private UpdateControl<TsigKey> withStatus(TsigKey key, TsigKeyStatus status) {
    if (status.equals(key.getStatus())) {
      apiFailures.statusUpToDate(key);
      return UpdateControl.noUpdate();
    }
    key.setStatus(status);
    return UpdateControl.patchStatus(key);
  }

  private static Instant missingSince(TsigKey key) {
    return key.getStatus() == null
        ? null
        : KeySecrets.parse(key.getStatus().getImportSecretMissingSince()).orElse(null);
  }

  /** Reads a Secret; a failure becomes an {@link ApiCallException} naming the call. */
  private static Secret get(KubernetesClient client, String namespace, String name) {
    return ApiCallException.around(
        "get",
        "",
        SECRETS,
        namespace,
        name,
        s -> s,
        () -> client.secrets().inNamespace(namespace).withName(name).get());
  }

  /**
   * Creates, or updates at the resourceVersion read, or leaves alone when already right. A failure
   * becomes an {@link ApiCallException} naming the call; whatever the server says is cleared of
   * both Secrets' values first.
   */
  private static void write(KubernetesClient client, Secret existing, Secret desired) {
    String namespace = desired.getMetadata().getNamespace();
    String name = desired.getMetadata().getName();
    UnaryOperator<String> redact = text -> SafeMessages.withoutValues(text, desired, existing);
    if (existing == null) {
      ApiCallException.around(
          "create",
          "",
          SECRETS,
          namespace,
          name,
          redact,
          () -> client.secrets().inNamespace(namespace).resource(desired).create());
      log.debug("created secret={}/{}", namespace, name);
    } else if (!KeySecrets.upToDate(existing, desired)) {
      ApiCallException.around(
          "update",
          "",
          SECRETS,
          namespace,
          name,
          redact,
          () ->
              client
                  .secrets()
                  .inNamespace(namespace)
                  .resource(KeySecrets.merged(existing, desired))
                  .update());
      log.debug("updated secret={}/{}", namespace, name);
    }
  }

  private static Set<ResourceID> ownerOf(Secret secret) {
    Map<String, String> labels = secret.getMetadata().getLabels();
    String owner = labels == null ? null : labels.get(ApiConstants.LABEL_TSIG_KEY);
    return owner == null
        ? Set.of()
        : Set.of(new ResourceID(owner, secret.getMetadata().getNamespace()));
  }

  private static boolean grantsMayChange(DnsUpdateIssuer now, DnsUpdateIssuer before) {
    return !Objects.equals(now.getSpec(), before.getSpec())
        || !Objects.equals(zone(now), zone(before))
        || !Objects.equals(
            now.getMetadata().getDeletionTimestamp(), before.getMetadata().getDeletionTimestamp());
  }

  private static String zone(DnsUpdateIssuer issuer) {
    return issuer.getStatus() == null ? null : issuer.getStatus().getZone();
  }
}
