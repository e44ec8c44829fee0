package io.dnsupdate.operator.issuer;

import io.dnsupdate.api.ApiConstants;
import io.dnsupdate.api.DnsUpdateIssuer;
import io.dnsupdate.api.DnsUpdateIssuerStatus;
import io.dnsupdate.operator.status.Conditions;
import io.dnsupdate.operator.status.Health;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;

/** Builds a DnsUpdateIssuer's status from an {@link IssuerOutcome}. No I/O. */
final class IssuerStatuses {
  private IssuerStatuses() {}

  /**
   * The status for {@code outcome}. {@code lastProbeTime} moves only when the outcome differs from
   * the one in the current status (Ready status, reason or message, zone, primary, key,
   * outsideGrants): a steady issuer's status then stays byte for byte the same from probe to probe,
   * so GitOps tools and watchers see no change every probe interval. How often probes run is in the
   * operator's metrics.
   *
   * @param stallAfter how long a nameserver may fail before Stalled (see {@link
   *     IssuerReason#progress})
   */
  static DnsUpdateIssuerStatus from(
      DnsUpdateIssuer issuer,
      IssuerOutcome outcome,
      Conditions conditions,
      Duration stallAfter,
      Instant now) {
    DnsUpdateIssuerStatus old =
        issuer.getStatus() == null ? new DnsUpdateIssuerStatus() : issuer.getStatus();
    Long generation = issuer.getMetadata().getGeneration();
    DnsUpdateIssuerStatus status = new DnsUpdateIssuerStatus();
    status.setZone(outcome.zone());
    status.setPrimary(outcome.primary());
    status.setKeyName(outcome.keyName());
    status.setOutsideGrants(outcome.outsideGrants());
    String readyStatus =
        outcome.ready()
            ? Conditions.TRUE
            : outcome.reason() == IssuerReason.Probing ? Conditions.UNKNOWN : Conditions.FALSE;
    status.setConditions(
        conditions.set(
            old.getConditions(),
            ApiConstants.CONDITION_READY,
            readyStatus,
            outcome.reason(),
            outcome.message(),
            generation));
    Duration failing = failingFor(status, now);
    status.setConditions(
        Health.apply(
            conditions,
            status.getConditions(),
            outcome.reason().progress(failing, stallAfter),
            outcome.reason(),
            outcome.message(),
            generation));
    status.setObservedGeneration(generation);
    status.setLastProbeTime(old.getLastProbeTime());
    if (outcome.probedAt() != null && !sameOutcome(old, status)) {
      status.setLastProbeTime(
          DateTimeFormatter.ISO_INSTANT.format(outcome.probedAt().truncatedTo(ChronoUnit.SECONDS)));
    }
    return status;
  }

  /** The status an issuer gets when the operator starts on a generation it has not reported. */
  static DnsUpdateIssuerStatus probing(
      DnsUpdateIssuer issuer, Conditions conditions, Duration stallAfter, Instant now) {
    DnsUpdateIssuerStatus old =
        issuer.getStatus() == null ? new DnsUpdateIssuerStatus() : issuer.getStatus();
    IssuerOutcome probing =
        new IssuerOutcome(
            IssuerReason.Probing,
            "the operator is probing the nameserver for generation "
                + issuer.getMetadata().getGeneration()
                + " of the spec",
            old.getZone(),
            old.getPrimary(),
            old.getKeyName(),
            null,
            false,
            old.getOutsideGrants());
    return from(issuer, probing, conditions, stallAfter, now);
  }

  /** True when the issuer has no status written for its current generation yet. */
  static boolean unseenGeneration(DnsUpdateIssuer issuer) {
    return issuer.getStatus() == null
        || !Objects.equals(
            issuer.getStatus().getObservedGeneration(), issuer.getMetadata().getGeneration());
  }

  private static boolean sameOutcome(DnsUpdateIssuerStatus old, DnsUpdateIssuerStatus now) {
    Optional<Condition> before = Conditions.find(old.getConditions(), ApiConstants.CONDITION_READY);
    Optional<Condition> after = Conditions.find(now.getConditions(), ApiConstants.CONDITION_READY);
    return before.isPresent()
        && after.isPresent()
        && Objects.equals(before.get().getStatus(), after.get().getStatus())
        && Objects.equals(before.get().getReason(), after.get().getReason())
        && Objects.equals(before.get().getMessage(), after.get().getMessage())
        && Objects.equals(old.getZone(), now.getZone())
        && Objects.equals(old.getPrimary(), now.getPrimary())
        && Objects.equals(old.getKeyName(), now.getKeyName())
        && old.getOutsideGrants() == now.getOutsideGrants();
  }

  /** How long Ready has been False (zero when it is not). */
  private static Duration failingFor(DnsUpdateIssuerStatus status, Instant now) {
    return Conditions.find(status.getConditions(), ApiConstants.CONDITION_READY)
        .filter(c -> Conditions.FALSE.equals(c.getStatus()))
        .map(Condition::getLastTransitionTime)
        .map(
            t -> {
              try {
                Duration d = Duration.between(Instant.parse(t), now);
                return d.isNegative() ? Duration.ZERO : d;
              } catch (DateTimeParseException e) {
                return Duration.ZERO;
              }
            })
        .orElse(Duration.ZERO);
  }
}
