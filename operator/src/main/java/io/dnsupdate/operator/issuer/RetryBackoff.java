package io.dnsupdate.operator.issuer;

import io.dnsupdate.api.ApiConstants;
import io.dnsupdate.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * When to probe a failing issuer again: about as long as it has been failing, from a quarter second
 * up to the retry interval. A nameserver that has just been given the key (the usual first failure:
 * the grants exist only once an issuer names the key) is found within a second or two, while one
 * that stays down is asked at most once per retry interval. The Ready condition's
 * lastTransitionTime says how long the failure lasts, so no counter has to outlive a restart.
 */
final class RetryBackoff {
  static final Duration FIRST = Duration.ofMillis(250);

  private RetryBackoff() {}

  /** The delay before the next probe, given the issuer's new conditions. */
  static Duration next(List<Condition> conditions, Instant now, Duration max) {
    Duration failing =
        Conditions.find(conditions, ApiConstants.CONDITION_READY)
            .filter(c -> Conditions.FALSE.equals(c.getStatus()))
            .map(Condition::getLastTransitionTime)
            .map(t -> since(t, now))
            .orElse(Duration.ZERO);
    if (failing.compareTo(FIRST) < 0) {
      return FIRST.compareTo(max) < 0 ? FIRST : max;
    }
    return failing.compareTo(max) < 0 ? failing : max;
  }

  private static Duration since(String rfc3339, Instant now) {
    try {
      Duration d = Duration.between(Instant.parse(rfc3339), now);
      return d.isNegative() ? Duration.ZERO : d;
    } catch (DateTimeParseException e) {
      return Duration.ZERO;
    }
  }
}
