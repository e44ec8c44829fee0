package io.dnsupdate.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.api.TsigKey;
import io.dnsupdate.operator.testing.Resources;
import io.dnsupdate.testkit.MutableClock;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.OperatorException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What {@link ApiFailureReporter} tells JOSDK, writes and records, by failure and attempt. */
class ApiFailureReporterTest {
  private static final Duration RECHECK = Duration.ofSeconds(42);

  private final List<String> recorded = new ArrayList<>();
  private final List<ApiFailure> written = new ArrayList<>();
  private final ApiFailureReporter reporter =
      new ApiFailureReporter(
          new EventRecorder(
              stub(KubernetesClient.class), MutableClock.at("2025-06-01T08:00:00Z"), "test") {
            @Override
            public void record(HasMetadata object, EventReason reason, String message) {
              recorded.add(reason + ": " + message);
            }
          },
          MutableClock.at("2025-06-01T08:00:00Z"),
          RECHECK);
  private final TsigKey key = key();

  private static TsigKey key() {
    TsigKey k = Resources.tsigKey("team-a", "web", s -> {});
    k.getMetadata().setUid("uid-1");
    return k;
  }

  @SuppressWarnings("unchecked")
  private static <T> T stub(Class<T> type) {
    return (T)
        Proxy.newProxyInstance(
            type.getClassLoader(),
            new Class<?>[] {type},
            (p, m, a) -> {
              throw new UnsupportedOperationException(m.getName());
            });
  }

  @SuppressWarnings("unchecked")
  private static Context<TsigKey> attempt(int count, boolean last) {
    RetryInfo info =
        new RetryInfo() {
          @Override
          public int getAttemptCount() {
            return count;
          }

          @Override
          public boolean isLastAttempt() {
            return last;
          }
        };
    return (Context<TsigKey>)
        Proxy.newProxyInstance(
            Context.class.getClassLoader(),
            new Class<?>[] {Context.class},
            (p, m, a) -> {
              if (m.getName().equals("getRetryInfo")) {
                return count == 0 && !last ? Optional.empty() : Optional.of(info);
              }
              throw new UnsupportedOperationException(m.getName());
            });
  }

  private static ApiCallException secretWrite(int code) {
    return new ApiCallException(
        ApiFailure.of(
            "create",
            "",
            "secrets",
            "team-a",
            "web-tsig",
            new KubernetesClientException(
                "Failure executing", code, new StatusBuilder().withMessage("no").build()),
            s -> s));
  }

  private ErrorStatusUpdateControl<TsigKey> handle(Exception e, Context<TsigKey> context) {
    return reporter.handle(
        key,
        context,
        e,
        (k, failure) -> {
          written.add(failure);
          return true;
        });
  }

  @Test
  void aDenialIsWrittenToldAndRecheckedWithoutJosdkRetries() {
    ErrorStatusUpdateControl<TsigKey> control = handle(secretWrite(403), attempt(0, false));

    assertThat(control.isDefaultErrorProcessing()).isFalse();
    assertThat(control.getResource()).containsSame(key);
    assertThat(control.isNoRetry()).isTrue();
    assertThat(control.getScheduleDelay()).contains(RECHECK.toMillis());
    assertThat(written).singleElement().satisfies(f -> assertThat(f.code()).isEqualTo(403));
    assertThat(recorded).singleElement().asString().startsWith("ApiForbidden: create secrets");
  }

  @Test
  void aServerFailureIsWrittenAndLeftToJosdksRetry() {
    ErrorStatusUpdateControl<TsigKey> control = handle(secretWrite(503), attempt(0, false));

    assertThat(control.getResource()).containsSame(key);
    assertThat(control.isNoRetry()).isFalse();
    assertThat(control.getScheduleDelay()).isEmpty();
    assertThat(recorded).singleElement().asString().startsWith("ApiUnavailable: ");
  }

  @Test
  void aConflictIsLeftToJosdkUntilTheThirdAttemptInARow() {
    assertThat(handle(secretWrite(409), attempt(0, false)).isDefaultErrorProcessing()).isTrue();
    assertThat(handle(secretWrite(409), attempt(1, false)).isDefaultErrorProcessing()).isTrue();
    assertThat(written).isEmpty();
    assertThat(recorded).isEmpty();

    ErrorStatusUpdateControl<TsigKey> third = handle(secretWrite(409), attempt(2, false));

    assertThat(third.getResource()).containsSame(key);
    assertThat(third.isNoRetry()).isFalse();
    assertThat(recorded).singleElement().asString().startsWith("ApiConflict: ");
  }

  @Test
  void theLastAttemptOfALimitedRetryIsRecheckedLater() {
    ErrorStatusUpdateControl<TsigKey> control = handle(secretWrite(500), attempt(5, true));

    assertThat(control.isNoRetry()).isTrue();
    assertThat(control.getScheduleDelay()).contains(RECHECK.toMillis());
  }

  @Test
  void aFailedStatusPatchIsToldOncePerEpisodeAndNotWritten() {
    KubernetesClientException patch =
        new KubernetesClientException(
            "Failure executing: PATCH", 403, new StatusBuilder().withMessage("denied").build());
    // as JOSDK hands it over: unwrapped for its own status patch
    ErrorStatusUpdateControl<TsigKey> first = handle(patch, attempt(0, false));
    ErrorStatusUpdateControl<TsigKey> again = handle(patch, attempt(0, false));

    assertThat(first.getResource()).isEmpty();
    assertThat(first.isNoRetry()).isTrue();
    assertThat(first.getScheduleDelay()).contains(RECHECK.toMillis());
    assertThat(again.getResource()).isEmpty();
    assertThat(written).isEmpty();
    assertThat(recorded)
        .singleElement()
        .asString()
        .startsWith(
            "ApiForbidden: patch tsigkeys/status 'web' in namespace 'team-a': forbidden (HTTP"
                + " 403): denied. Grant the operator's ServiceAccount 'patch' on tsigkeys/status"
                + " (API group dnsupdate.io)");

    reporter.statusUpToDate(key);
    handle(patch, attempt(0, false));
    assertThat(recorded).hasSize(2);
  }

  @Test
  void findsTheFailureInsideJosdksWrapperAndLeavesOtherErrorsToJosdk() {
    handle(new OperatorException(secretWrite(422)), attempt(0, false));
    assertThat(written).singleElement().satisfies(f -> assertThat(f.code()).isEqualTo(422));

    assertThat(
            handle(new IllegalStateException("bug"), attempt(0, false)).isDefaultErrorProcessing())
        .isTrue();
  }
}
