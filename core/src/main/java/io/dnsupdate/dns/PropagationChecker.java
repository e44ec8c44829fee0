package io.dnsupdate.dns;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Waits until every authoritative nameserver of a zone serves (or no longer serves) a TXT value, so
 * the ACME server, which may ask any of them, sees what we wrote. Queries are unsigned over TCP:
 * that is the view the ACME server gets, and TCP is never truncated.
 */
public final class PropagationChecker {
  private static final Logger log = LoggerFactory.getLogger(PropagationChecker.class);

  private final Clock clock;
  private final Duration pollInterval;
  private final Duration queryTimeout;

  public PropagationChecker(Clock clock, Duration pollInterval, Duration queryTimeout) {
    this.clock = clock == null ? Clock.systemUTC() : clock;
    this.pollInterval = pollInterval;
    this.queryTimeout = queryTimeout;
  }

  /**
   * The zone's authoritative servers from its NS set as the primary serves it, addressed by glue,
   * by the primary's own A/AAAA records, or by the system resolver, at {@code port}.
   */
  public List<ServerEndpoint> authoritativeServers(DnsQuery primary, Name zone, int port)
      throws DnsUpdateException {
    Message answer = primary.query(zone, Type.NS).message();
    Set<Name> targets = new LinkedHashSet<>();
    for (Record r : answer.getSection(Section.ANSWER)) {
      if (r instanceof NSRecord ns && r.getName().equals(zone)) {
        targets.add(ns.getTarget());
      }
    }
    if (targets.isEmpty()) {
      throw new DnsUpdateException(
          FailureReason.ZoneNotFound,
          "nameserver " + primary.endpoint() + " serves no NS records for zone '" + zone + "'");
    }
    Set<String> addresses = new LinkedHashSet<>();
    for (Name target : targets) {
      List<String> found = addressesFrom(answer, target);
      if (found.isEmpty() && target.subdomain(zone)) {
        found = addressesFrom(primary.query(target, Type.A).message(), target);
      }
      if (found.isEmpty()) {
        found = systemResolve(target);
      }
      if (found.isEmpty()) {
        throw new DnsUpdateException(
            FailureReason.ZoneNotFound,
            "cannot find an address for nameserver '" + target + "' of zone '" + zone + "'");
      }
      addresses.addAll(found);
    }
    List<ServerEndpoint> servers = new ArrayList<>();
    for (String address : addresses) {
      servers.add(
          new ServerEndpoint(new Nameserver(address, port), Transport.TCP, null, queryTimeout));
    }
    return servers;
  }

  private static List<String> addressesFrom(Message message, Name target) {
    List<String> out = new ArrayList<>();
    for (int section : new int[] {Section.ANSWER, Section.ADDITIONAL}) {
      for (Record r : message.getSection(section)) {
        if (!r.getName().equals(target)) {
          continue;
        }
        if (r instanceof ARecord a) {
          out.add(a.getAddress().getHostAddress());
        } else if (r instanceof AAAARecord aaaa) {
          out.add(aaaa.getAddress().getHostAddress());
        }
      }
    }
    return out;
  }

  private static List<String> systemResolve(Name target) {
    try {
      List<String> out = new ArrayList<>();
      for (InetAddress a : InetAddress.getAllByName(target.toString(true))) {
        out.add(a.getHostAddress());
      }
      return out;
    } catch (UnknownHostException e) {
      return List.of();
    }
  }

  /** Waits until every server serves {@code value} at {@code owner}. */
  public void awaitPresent(List<ServerEndpoint> servers, Name owner, String value, Duration timeout)
      throws DnsUpdateException {
    await(servers, owner, value, true, timeout);
  }

  /** Waits until no server serves {@code value} at {@code owner}. */
  public void awaitAbsent(List<ServerEndpoint> servers, Name owner, String value, Duration timeout)
      throws DnsUpdateException {
    await(servers, owner, value, false, timeout);
  }

  private void await(
      List<ServerEndpoint> servers, Name owner, String value, boolean present, Duration timeout)
      throws DnsUpdateException {
    Instant deadline = clock.instant().plus(timeout);
    Map<ServerEndpoint, String> lagging = new LinkedHashMap<>();
    servers.forEach(s -> lagging.put(s, "not asked yet"));
    while (true) {
      for (ServerEndpoint server : List.copyOf(lagging.keySet())) {
        String why = check(server, owner, value, present, deadline);
        if (why == null) {
          lagging.remove(server);
        } else {
          lagging.put(server, why);
        }
      }
      if (lagging.isEmpty()) {
        return;
      }
      if (!clock.instant().plus(pollInterval).isBefore(deadline)) {
        break;
      }
      sleep(pollInterval);
    }
    List<String> names = lagging.keySet().stream().map(s -> s.nameserver().toString()).toList();
    StringBuilder message =
        new StringBuilder("after ")
            .append(timeout.toSeconds())
            .append(" s, ")
            .append(lagging.size())
            .append(" of ")
            .append(servers.size())
            .append(" authoritative nameserver(s) still ")
            .append(present ? "do not serve" : "serve")
            .append(" the TXT value at '")
            .append(owner)
            .append("': ");
    lagging.forEach(
        (s, why) -> message.append(s.nameserver()).append(" (").append(why).append("); "));
    message.append("check zone transfers (NOTIFY/IXFR) from the primary");
    throw new PropagationTimeoutException(message.toString(), names);
  }

  /** Null when the server is where we want it, else why not. */
  private String check(
      ServerEndpoint server, Name owner, String value, boolean present, Instant deadline) {
    Duration left = Duration.between(clock.instant(), deadline);
    if (left.isNegative() || left.isZero()) {
      return "deadline passed";
    }
    ServerEndpoint bounded = left.compareTo(queryTimeout) < 0 ? server.withTimeout(left) : server;
    try {
      DnsQuery.TxtAnswer answer = new DnsQuery(bounded, null, clock).txt(owner);
      if (answer.rcode() == Rcode.REFUSED) {
        return "REFUSED: not authoritative for the zone";
      }
      boolean has = answer.values().contains(value);
      if (has == present) {
        return null;
      }
      return present ? "value not served yet" : "value still served";
    } catch (DnsUpdateException e) {
      log.debug("propagation check against {} failed: {}", server, e.getMessage());
      return e.reason() == FailureReason.NameserverUnreachable ? "unreachable" : e.reason().name();
    }
  }

  private static void sleep(Duration d) throws DnsUpdateException {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DnsUpdateException(
          FailureReason.NameserverUnreachable, "interrupted while waiting for propagation", e);
    }
  }
}
