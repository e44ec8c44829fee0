package io.dnsupdate.operator.issuer;

import io.dnsupdate.api.ApiConstants;
import io.dnsupdate.api.DnsUpdateIssuer;
import io.dnsupdate.api.DnsUpdateIssuerStatus;
import io.dnsupdate.operator.status.Conditions;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** Builds a DnsUpdateIssuer's status from an {@link IssuerOutcome}. No I/O. */
final class IssuerStatuses {
  private IssuerStatuses() {}

  static DnsUpdateIssuerStatus from(
      DnsUpdateIssuer issuer, IssuerOutcome outcome, Conditions conditions) {
    DnsUpdateIssuerStatus old =
        issuer.getStatus() == null ? new DnsUpdateIssuerStatus() : issuer.getStatus();
    DnsUpdateIssuerStatus status = new DnsUpdateIssuerStatus();
    status.setZone(outcome.zone());
    status.setPrimary(outcome.primary());
    status.setKeyName(outcome.keyName());
    status.setLastProbeTime(
        outcome.probedAt() == null
            ? old.getLastProbeTime()
            : DateTimeFormatter.ISO_INSTANT.format(
                outcome.probedAt().truncatedTo(ChronoUnit.SECONDS)));
    status.setConditions(
        conditions.set(
            old.getConditions(),
            ApiConstants.CONDITION_READY,
            outcome.ready(),
            outcome.reason(),
            outcome.message(),
            issuer.getMetadata().getGeneration()));
    status.setObservedGeneration(issuer.getMetadata().getGeneration());
    return status;
  }
}
