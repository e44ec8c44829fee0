package io.dnsupdate.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.testkit.MutableClock;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionsTest {
  enum Reason {
    Fine,
    Broken,
    StillBroken
  }

  private final MutableClock clock = MutableClock.at("2025-03-01T10:00:00.456Z");
  private final Conditions conditions = new Conditions(clock);

  @Test
  void addsAConditionStampedWithTimeAndGeneration() {
    List<Condition> out = conditions.set(List.of(), "Ready", true, Reason.Fine, "all good", 3L);

    assertThat(out)
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.getType()).isEqualTo("Ready");
              assertThat(c.getStatus()).isEqualTo("True");
              assertThat(c.getReason()).isEqualTo("Fine");
              assertThat(c.getMessage()).isEqualTo("all good");
              assertThat(c.getLastTransitionTime()).isEqualTo("2025-03-01T10:00:00Z");
              assertThat(c.getObservedGeneration()).isEqualTo(3L);
            });
  }

  @Test
  void keepsTransitionTimeWhenStatusStaysAndReasonOrMessageChange() {
    List<Condition> first = conditions.set(null, "Ready", false, Reason.Broken, "a", 1L);
    clock.advance(Duration.ofMinutes(5));

    List<Condition> second = conditions.set(first, "Ready", false, Reason.StillBroken, "b", 2L);

    Condition c = second.get(0);
    assertThat(c.getLastTransitionTime()).isEqualTo("2025-03-01T10:00:00Z");
    assertThat(c.getReason()).isEqualTo("StillBroken");
    assertThat(c.getMessage()).isEqualTo("b");
    assertThat(c.getObservedGeneration()).isEqualTo(2L);
  }

  @Test
  void movesTransitionTimeWhenStatusFlips() {
    List<Condition> first = conditions.set(null, "Ready", false, Reason.Broken, "a", 1L);
    clock.advance(Duration.ofMinutes(5));

    List<Condition> second = conditions.set(first, "Ready", true, Reason.Fine, "ok", 1L);

    assertThat(second.get(0).getLastTransitionTime()).isEqualTo("2025-03-01T10:05:00Z");
  }

  @Test
  void leavesOtherConditionsAndTheInputAlone() {
    Condition other =
        new ConditionBuilder().withType("Other").withStatus("True").withReason("X").build();
    Condition ready =
        new ConditionBuilder().withType("Ready").withStatus("False").withReason("Old").build();
    List<Condition> input = new ArrayList<>(List.of(other, ready));

    List<Condition> out = conditions.set(input, "Ready", true, Reason.Fine, "ok", 7L);

    assertThat(out).extracting(Condition::getType).containsExactly("Other", "Ready");
    assertThat(input.get(1).getReason()).isEqualTo("Old");
    assertThat(Conditions.isTrue(out, "Ready")).isTrue();
    assertThat(Conditions.isTrue(out, "Missing")).isFalse();
    assertThat(Conditions.reason(out, "Ready")).isEqualTo("Fine");
  }

  @Test
  void anEqualConditionIsEqualSoStatusIsNotPatchedAgain() {
    List<Condition> first = conditions.set(null, "Ready", true, Reason.Fine, "ok", 1L);
    clock.advance(Duration.ofHours(1));

    assertThat(conditions.set(first, "Ready", true, Reason.Fine, "ok", 1L)).isEqualTo(first);
  }
}
