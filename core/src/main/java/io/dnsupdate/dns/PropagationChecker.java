package io.dnsupdate.dns;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
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
 * the ACME server, which may ask any of them, sees what we wrote. Queries are unsigned: that is the
 * view the ACME server gets. Per name (a TXT query over TCP, never truncated, per server and poll),
 * or per update where the update moved the zone's serial: then a server whose SOA serial has
 * reached it serves the whole update, and one shared SOA query per server and poll answers for
 * every challenge of it ({@link ZoneSerials}).
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
    await(
        servers,
        (server, deadline) -> checkTxt(server, owner, value, true, deadline),
        "do not serve the TXT value at '" + owner + "'",
        timeout);
  }

  /** Waits until no server serves {@code value} at {@code owner}. */
  public void awaitAbsent(List<ServerEndpoint> servers, Name owner, String value, Duration timeout)
      throws DnsUpdateException {
    await(
        servers,
        (server, deadline) -> checkTxt(server, owner, value, false, deadline),
        "serve the TXT value at '" + owner + "'",
        timeout);
  }

  /**
   * Waits until every server serves {@code zone} at {@code serial} or later (RFC 1982): a server
   * there serves every change of the UPDATE that produced that serial, however many names it held.
   * Waiters of the same servers share their SOA queries through {@code serials}.
   *
   * @param owner a name of the update, for the message when the wait times out
   */
  public void awaitSerial(
      List<ServerEndpoint> servers,
      Name zone,
      long serial,
      Name owner,
      ZoneSerials serials,
      Duration timeout)
      throws DnsUpdateException {
    Map<ServerEndpoint, Long> lastReading = new HashMap<>();
    await(
        servers,
        (server, deadline) -> {
          try {
            long after = lastReading.getOrDefault(server, ZoneSerials.ANY);
            ZoneSerials.Reading r = serials.readAfter(server, zone, after, deadline);
            if (after == ZoneSerials.ANY && !reached(r, serial)) {
              // the latest reading may predate the update: one made after it decides
              r = serials.readAfter(server, zone, r.sequence(), deadline);
            }
            lastReading.put(server, r.sequence());
            if (r.serial().isEmpty()) {
              return "serves no SOA for zone '" + zone + "'";
            }
            return reached(r, serial) ? null : "at serial " + r.serial().getAsLong();
          } catch (DnsUpdateException e) {
            return failed("serial check", server, e);
          }
        },
        "do not serve serial "
            + serial
            + " of zone '"
            + zone
            + "', a version with the TXT value at '"
            + owner
            + "'",
        timeout);
  }

  /** Why a server could not be checked, for the message when the wait times out. */
  private static String failed(String what, ServerEndpoint server, DnsUpdateException e) {
    log.debug("{} against {} failed: {}", what, server, e.getMessage());
    return e.reason() == FailureReason.NameserverUnreachable ? "unreachable" : e.reason().name();
  }

  private static boolean reached(ZoneSerials.Reading r, long serial) {
    return r.serial().isPresent() && SoaSerial.reached(r.serial().getAsLong(), serial);
  }

  /** Null when the server is where we want it, else why not. */
  @FunctionalInterface
  private interface Check {
    String why(ServerEndpoint server, Instant deadline);
  }

  private void await(List<ServerEndpoint> servers, Check check, String goal, Duration timeout)
      throws DnsUpdateException {
    Instant deadline = clock.instant().plus(timeout);
    Map<ServerEndpoint, String> lagging = new LinkedHashMap<>();
    servers.forEach(s -> lagging.put(s, "not asked yet"));
    while (true) {
      for (ServerEndpoint server : List.copyOf(lagging.keySet())) {
        String why = check.why(server, deadline);
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
            .append(goal)
            .append(": ");
    lagging.forEach(
        (s, why) -> message.append(s.nameserver()).append(" (").append(why).append("); "));
    message.append("check zone transfers (NOTIFY/IXFR) from the primary");
    throw new PropagationTimeoutException(message.toString(), names);
  }

  /** Null when the server is where we want it, else why not. */
  private String checkTxt(
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
      return failed("propagation check", server, e);
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
