package io.dnsupdate.webhook.challenge;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.dnsupdate.cache.Caches;
import io.dnsupdate.config.IssuerSettings;
import io.dnsupdate.dns.DnsUpdateException;
import io.dnsupdate.dns.FailureReason;
import io.dnsupdate.dns.Nameserver;
import io.dnsupdate.dns.PropagationChecker;
import io.dnsupdate.dns.ServerEndpoint;
import io.dnsupdate.dns.Transport;
import io.dnsupdate.dns.ZoneSerials;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.xbill.DNS.Name;

/**
 * Waits until every authoritative nameserver serves a value just written: the issuer's listed
 * nameservers, or those the zone's NS records name, asked through the server that took the update
 * (cached for {@link #NS_SET_TTL}: an NS set rarely changes, and every challenge of a batch asks
 * for the same). Present succeeds only then, so the ACME server does not query a secondary that has
 * not caught up. Where the update moved the zone's serial, the servers are asked for their serial,
 * one shared query per server and poll for all challenges ({@link ZoneSerials}); else for the name.
 * The wait ends at the issuer's propagation timeout or the request deadline.
 */
final class PropagationWait {
  static final Duration NS_SET_TTL = Duration.ofSeconds(30);

  private final Clock clock;
  private final ZoneSerials serials;
  private final AsyncCache<NsSetKey, List<ServerEndpoint>> nsSets;

  /** The NS set as the server that took the update serves it to the signer (views may differ). */
  private record NsSetKey(
      Nameserver primary, Transport transport, Object signer, Name zone, int port) {}

  PropagationWait(Clock clock) {
    this.clock = clock;
    this.serials = new ZoneSerials(clock);
    this.nsSets =
        Caffeine.newBuilder()
            .ticker(Caches.ticker(clock))
            .maximumSize(1_000)
            .expireAfterWrite(NS_SET_TTL)
            .buildAsync();
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
              : Caches.get(
                  nsSets,
                  new NsSetKey(
                      applied.server().nameserver(),
                      applied.server().transport(),
                      applied.signer().who(),
                      applied.zone(),
                      p.port()),
                  () ->
                      checker.authoritativeServers(
                          applied.signer().queries(applied.server(), clock),
                          applied.zone(),
                          p.port()));
    } catch (DnsUpdateException e) {
      throw SolverFailure.of(
          written + "the authoritative nameservers of zone " + applied.zone() + " cannot be listed",
          e);
    }
    try {
      if (applied.serial().isPresent()) {
        checker.awaitSerial(
            servers, applied.zone(), applied.serial().getAsLong(), fqdn, serials, wait);
      } else {
        checker.awaitPresent(servers, fqdn, value, wait);
      }
    } catch (DnsUpdateException e) {
      throw new SolverFailure(e.reason(), written + e.getMessage(), e);
    }
  }
}
