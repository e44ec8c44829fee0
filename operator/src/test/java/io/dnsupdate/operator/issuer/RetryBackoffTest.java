package io.dnsupdate.operator.issuer;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetryBackoffTest {
  private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");
  private static final Duration MAX = Duration.ofSeconds(30);

  @Test
  void aFreshFailureIsRetriedWithinAQuarterSecond() {
    assertThat(RetryBackoff.next(ready("False", NOW), NOW, MAX)).isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void theDelayGrowsWithHowLongTheIssuerHasBeenFailing() {
    assertThat(RetryBackoff.next(ready("False", NOW.minusSeconds(2)), NOW, MAX))
        .isEqualTo(Duration.ofSeconds(2));
    assertThat(RetryBackoff.next(ready("False", NOW.minusSeconds(8)), NOW, MAX))
        .isEqualTo(Duration.ofSeconds(8));
  }

  @Test
  void theRetryIntervalBoundsIt() {
    assertThat(RetryBackoff.next(ready("False", NOW.minusSeconds(3600)), NOW, MAX)).isEqualTo(MAX);
    assertThat(RetryBackoff.next(ready("False", NOW), NOW, Duration.ofMillis(100)))
        .isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void noOrAnUnreadableConditionStartsAtTheShortestDelay() {
    assertThat(RetryBackoff.next(List.of(), NOW, MAX)).isEqualTo(RetryBackoff.FIRST);
    assertThat(RetryBackoff.next(ready("False", null), NOW, MAX)).isEqualTo(RetryBackoff.FIRST);
    List<Condition> garbled =
        List.of(
            new ConditionBuilder()
                .withType("Ready")
                .withStatus("False")
                .withLastTransitionTime("yesterday")
                .build());
    assertThat(RetryBackoff.next(garbled, NOW, MAX)).isEqualTo(RetryBackoff.FIRST);
  }

  @Test
  void aClockBehindTheTransitionCountsAsJustFailed() {
    assertThat(RetryBackoff.next(ready("False", NOW.plusSeconds(5)), NOW, MAX))
        .isEqualTo(RetryBackoff.FIRST);
  }

  private static List<Condition> ready(String status, Instant since) {
    return List.of(
        new ConditionBuilder()
            .withType("Ready")
            .withStatus(status)
            .withLastTransitionTime(since == null ? null : since.toString())
            .build());
  }
}
