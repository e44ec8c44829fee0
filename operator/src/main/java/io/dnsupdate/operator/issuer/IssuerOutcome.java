package io.dnsupdate.operator.issuer;

import io.dnsupdate.api.OutsideGrants;
import java.time.Instant;
import java.util.Objects;

/**
 * What one evaluation of a DnsUpdateIssuer found, before it becomes status.
 *
 * @param reason the Ready reason; {@link IssuerReason#Authenticated} and {@link
 *     IssuerReason#KeyNotLimited} mean Ready=True
 * @param message for the condition; never holds key material
 * @param zone the zone probed (or found before a failure), or null
 * @param primary host:port of the nameserver that accepted the probe, or null
 * @param keyName the key that signed, or null when no probe was sent
 * @param probedAt when the probe was sent, or null when none was
 * @param previousKeyOnly true when only the previous key of a rotation overlap was accepted
 * @param outsideGrants what the primary did with a change outside the challenge names, or null when
 *     the probe did not get that far
 */
public record IssuerOutcome(
    IssuerReason reason,
    String message,
    String zone,
    String primary,
    String keyName,
    Instant probedAt,
    boolean previousKeyOnly,
    OutsideGrants outsideGrants) {
  public IssuerOutcome {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(message, "message");
  }

  /** An outcome from before the key's limits were probed, or without them. */
  public IssuerOutcome(
      IssuerReason reason,
      String message,
      String zone,
      String primary,
      String keyName,
      Instant probedAt,
      boolean previousKeyOnly) {
    this(reason, message, zone, primary, keyName, probedAt, previousKeyOnly, null);
  }

  /** A failure found before any DNS traffic (spec, key). */
  public static IssuerOutcome unprobed(IssuerReason reason, String message) {
    return new IssuerOutcome(reason, message, null, null, null, null, false);
  }

  /** The same outcome told by {@code other}; this one itself when the message is the same. */
  public IssuerOutcome withMessage(String other) {
    return other.equals(message)
        ? this
        : new IssuerOutcome(
            reason, other, zone, primary, keyName, probedAt, previousKeyOnly, outsideGrants);
  }

  /** The same outcome with what the limit probe found. */
  public IssuerOutcome withOutsideGrants(OutsideGrants found) {
    return new IssuerOutcome(
        reason, message, zone, primary, keyName, probedAt, previousKeyOnly, found);
  }

  public boolean ready() {
    return reason == IssuerReason.Authenticated || reason == IssuerReason.KeyNotLimited;
  }
}
