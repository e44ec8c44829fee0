package io.dnsupdate.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Sets status conditions by type: keeps {@code lastTransitionTime} when the status did not change,
 * stamps {@code observedGeneration}, and never edits the list it is given. Besides {@code Ready},
 * both kinds carry kstatus' {@code Reconciling} and {@code Stalled} (see {@link Health}).
 */
public final class Conditions {
  public static final String TRUE = "True";
  public static final String FALSE = "False";
  public static final String UNKNOWN = "Unknown";

  private final Clock clock;

  public Conditions(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * A copy of {@code current} in which the condition of {@code type} has the given values. Other
   * conditions keep their place; a new type is appended.
   */
  public List<Condition> set(
      List<Condition> current,
      String type,
      boolean status,
      Enum<?> reason,
      String message,
      Long observedGeneration) {
    return set(current, type, status ? TRUE : FALSE, reason, message, observedGeneration);
  }

  /** As {@link #set(List, String, boolean, Enum, String, Long)}, for True, False or Unknown. */
  public List<Condition> set(
      List<Condition> current,
      String type,
      String statusText,
      Enum<?> reason,
      String message,
      Long observedGeneration) {
    if (!TRUE.equals(statusText) && !FALSE.equals(statusText) && !UNKNOWN.equals(statusText)) {
      throw new IllegalArgumentException("condition status " + statusText);
    }
    Optional<Condition> previous = find(current, type);
    String transition =
        previous
            .filter(c -> statusText.equals(c.getStatus()) && c.getLastTransitionTime() != null)
            .map(Condition::getLastTransitionTime)
            .orElseGet(this::now);
    Condition updated =
        new ConditionBuilder()
            .withType(type)
            .withStatus(statusText)
            .withReason(reason.name())
            .withMessage(message == null ? "" : message)
            .withLastTransitionTime(transition)
            .withObservedGeneration(observedGeneration)
            .build();
    List<Condition> out = new ArrayList<>();
    boolean replaced = false;
    for (Condition c : current == null ? List.<Condition>of() : current) {
      if (type.equals(c.getType())) {
        if (!replaced) {
          out.add(updated);
          replaced = true;
        }
      } else {
        out.add(c);
      }
    }
    if (!replaced) {
      out.add(updated);
    }
    return out;
  }

  /** The condition of that type, if present. */
  public static Optional<Condition> find(List<Condition> conditions, String type) {
    if (conditions == null) {
      return Optional.empty();
    }
    return conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  /** True when the condition of that type is present with status True. */
  public static boolean isTrue(List<Condition> conditions, String type) {
    return find(conditions, type).map(c -> TRUE.equals(c.getStatus())).orElse(false);
  }

  /** The reason of the condition of that type, or null. */
  public static String reason(List<Condition> conditions, String type) {
    return find(conditions, type).map(Condition::getReason).orElse(null);
  }

  private String now() {
    return DateTimeFormatter.ISO_INSTANT.format(clock.instant().truncatedTo(ChronoUnit.SECONDS));
  }
}
