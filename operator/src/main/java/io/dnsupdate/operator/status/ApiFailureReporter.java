package io.dnsupdate.operator.status;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.dnsupdate.cache.Caches;
import io.dnsupdate.operator.status.Health.Progress;
import io.dnsupdate.text.LogSafe;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Both reconcilers' {@code updateErrorStatus}: turns an API failure into a status (through the
 * caller's {@link StatusSetter}), a Warning Event and one log line, and tells JOSDK how to go on. A
 * failure that needs a person (403, 422) is Stalled and rechecked at a slow, fixed pace, as a grant
 * or a fix produces no watch event; a transient one (409 on several attempts, 5xx, no answer) is
 * Reconciling and left to JOSDK's retry with backoff (see {@code OperatorRuntime}). A conflict is
 * retried silently first: one 409 is the normal outcome of a concurrent write. When the failed call
 * is the status write itself, nothing can be written: it is told once per object and message, and
 * retried without spinning.
 */
public final class ApiFailureReporter {
  /** A 409 is reported from this attempt on (JOSDK's first attempt counts 0). */
  static final int CONFLICT_REPORTED_FROM_ATTEMPT = 2;

  private static final Logger log = LoggerFactory.getLogger(ApiFailureReporter.class);

  private final EventRecorder events;
  private final Duration recheck;

  /** Per object uid: the message of the status-write failure last told. */
  private final Cache<String, String> statusWriteFailures;

  /** Writes an API failure into a resource's status. */
  @FunctionalInterface
  public interface StatusSetter<P extends HasMetadata> {
    /**
     * Sets Ready False (and Stalled or Reconciling) for {@code failure} in {@code resource}'s
     * status, stamped with its generation.
     *
     * @return true when that is news: the Ready reason or message differs from before
     */
    boolean set(P resource, ApiFailure failure);
  }

  /**
   * @param recheck how long a Stalled failure waits before the call is tried again
   */
  public ApiFailureReporter(EventRecorder events, Clock clock, Duration recheck) {
    this.events = Objects.requireNonNull(events, "events");
    this.recheck = Objects.requireNonNull(recheck, "recheck");
    this.statusWriteFailures =
        Caffeine.newBuilder()
            .maximumSize(4096)
            .expireAfterWrite(Duration.ofHours(1))
            .ticker(Caches.ticker(clock))
            .build();
  }

  /**
   * The failure {@code e} reports: an {@link ApiCallException} from the reconciler, or fabric8's
   * exception from JOSDK's status patch (the reconcilers wrap every call of their own, and they
   * never update the primary resource itself), also when wrapped. Empty for anything else (a bug:
   * JOSDK's default handling logs it and retries).
   */
  public static Optional<ApiFailure> failureOf(Exception e, HasMetadata primary) {
    // JOSDK's metrics wrap what the reconciler throws in an OperatorException
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ApiCallException a) {
        return Optional.of(a.failure());
      }
    }
    if (e instanceof KubernetesClientException k) {
      return Optional.of(
          ApiFailure.of(
              "patch",
              HasMetadata.getGroup(primary.getClass()),
              HasMetadata.getPlural(primary.getClass()) + "/status",
              primary.getMetadata().getNamespace(),
              primary.getMetadata().getName(),
              k,
              s -> s));
    }
    return Optional.empty();
  }

  /**
   * What {@code updateErrorStatus} returns for {@code e}.
   *
   * @param setter writes the failure into the status; null for a kind whose status shows no API
   *     failures (Events only)
   */
  public <P extends HasMetadata> ErrorStatusUpdateControl<P> handle(
      P resource, Context<P> context, Exception e, StatusSetter<P> setter) {
    Optional<ApiFailure> found = failureOf(e, resource);
    if (found.isEmpty()) {
      return ErrorStatusUpdateControl.defaultErrorProcessing();
    }
    ApiFailure failure = found.get();
    Optional<RetryInfo> retry = context.getRetryInfo();
    int attempt = retry.map(RetryInfo::getAttemptCount).orElse(0);
    boolean lastAttempt = retry.map(RetryInfo::isLastAttempt).orElse(false);
    if (failure.reason() == ApiFailure.Reason.ApiConflict
        && attempt < CONFLICT_REPORTED_FROM_ATTEMPT
        && !lastAttempt) {
      return ErrorStatusUpdateControl.defaultErrorProcessing();
    }
    ErrorStatusUpdateControl<P> control;
    if (failure.statusWrite() || setter == null) {
      String uid = uid(resource);
      boolean news = !failure.message().equals(statusWriteFailures.getIfPresent(uid));
      statusWriteFailures.put(uid, failure.message());
      tell(resource, failure, news);
      control = ErrorStatusUpdateControl.noStatusUpdate();
    } else {
      tell(resource, failure, setter.set(resource, failure));
      control = ErrorStatusUpdateControl.patchStatus(resource);
    }
    if (failure.reason().progress() == Progress.STALLED || lastAttempt) {
      // a grant or a fix sends no watch event: try again at a slow, fixed pace
      control.withNoRetry().rescheduleAfter(recheck);
    }
    return control;
  }

  /**
   * Forgets the status-write failure told about {@code resource}: call when its status turned out
   * to be up to date (written since), so that the next such failure is told again.
   */
  public void statusUpToDate(HasMetadata resource) {
    statusWriteFailures.invalidate(uid(resource));
  }

  private void tell(HasMetadata resource, ApiFailure failure, boolean news) {
    if (!news) {
      return;
    }
    log.warn(
        "kind={} object={}/{} api-failure={} code={} call=\"{}\"",
        resource.getKind(),
        LogSafe.of(resource.getMetadata().getNamespace()),
        LogSafe.of(resource.getMetadata().getName()),
        failure.reason(),
        failure.code(),
        LogSafe.of(failure.call()));
    events.record(resource, failure.reason().event(), failure.message());
  }

  private static String uid(HasMetadata resource) {
    return Objects.requireNonNullElse(
        resource.getMetadata().getUid(),
        resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName());
  }
}
