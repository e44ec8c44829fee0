package io.dnsupdate.webhook.challenge;

import io.dnsupdate.config.IssuerSettings;
import java.time.Clock;
import java.time.Instant;
import java.util.function.BooleanSupplier;

/**
 * When a challenge's caller stops waiting: {@link IssuerSettings#REQUEST_BUDGET} after the request
 * arrived (stamped when it was accepted, not when solving began, so time spent queued counts), or
 * earlier when the caller hung up. Work past it sends no UPDATE.
 *
 * @param at the end of the budget
 * @param callerGone true once the connection the answer was due on is gone
 */
public record Deadline(Instant at, BooleanSupplier callerGone) {
  /** Why work stops when the caller went. */
  static final String CALLER_GONE = "the caller closed its connection";

  /** The budget from {@code arrival}. */
  public static Deadline fromArrival(Instant arrival, BooleanSupplier callerGone) {
    return new Deadline(arrival.plus(IssuerSettings.REQUEST_BUDGET), callerGone);
  }

  /** A full budget from now, for a caller that cannot leave (tests, tools). */
  public static Deadline startingNow(Clock clock) {
    return fromArrival(clock.instant(), () -> false);
  }

  /** Null while the caller still waits, else why it does not. */
  String abandoned(Clock clock) {
    if (callerGone.getAsBoolean()) {
      return CALLER_GONE;
    }
    if (!clock.instant().isBefore(at)) {
      return "the request budget of "
          + IssuerSettings.REQUEST_BUDGET.toSeconds()
          + " s since the request arrived ran out";
    }
    return null;
  }
}
