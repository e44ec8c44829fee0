package io.dnsupdate.webhook.challenge;

import io.dnsupdate.config.IssuerSettings;
import io.dnsupdate.dns.DnsQuery;
import io.dnsupdate.dns.DnsUpdateException;
import io.dnsupdate.dns.FailureReason;
import io.dnsupdate.dns.PropagationChecker;
import io.dnsupdate.dns.ServerEndpoint;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.xbill.DNS.Name;

/**
 * Waits until every authoritative nameserver serves a value just written: the issuer's listed
 * nameservers, or those the zone's NS records name, asked through the server that took the update.
 * Present succeeds only then, so the ACME server does not query a secondary that has not caught up.
 * The wait ends at the issuer's propagation timeout or the request deadline.
 */
final class PropagationWait {
  private final Clock clock;

  PropagationWait(Clock clock) {
    this.clock = clock;
  }

  void await(
      IssuerSettings settings,
      UpdatePublisher.Applied applied,
      Name fqdn,
      String value,
      Instant deadline)
      throws SolverFailure {
    IssuerSettings.Propagation p = settings.propagation();
    Duration left = Duration.between(clock.instant(), deadline);
    Duration wait = p.timeout().compareTo(left) < 0 ? p.timeout() : left;
    String written =
        "the TXT value was written to "
            + applied.server().nameserver()
            + " (zone "
            + applied.zone()
            + "), but ";
    if (wait.isNegative() || wait.isZero()) {
      throw new SolverFailure(
          FailureReason.PropagationTimeout,
          written
              + "no time was left to check the authoritative nameservers; cert-manager will retry");
    }
    Duration queryTimeout = settings.timeout().compareTo(wait) < 0 ? settings.timeout() : wait;
    PropagationChecker checker = new PropagationChecker(clock, p.pollInterval(), queryTimeout);
    List<ServerEndpoint> servers;
    try {
      servers =
          p.explicit()
              ? p.nameservers()
              : checker.authoritativeServers(
                  new DnsQuery(applied.server(), applied.credentials(), clock),
                  applied.zone(),
                  p.port());
    } catch (DnsUpdateException e) {
      throw SolverFailure.of(
          written + "the authoritative nameservers of zone " + applied.zone() + " cannot be listed",
          e);
    }
    try {
      checker.awaitPresent(servers, fqdn, value, wait);
    } catch (DnsUpdateException e) {
      throw new SolverFailure(e.reason(), written + e.getMessage(), e);
    }
  }
}
