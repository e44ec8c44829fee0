package io.dnsupdate.operator.issuer;

import io.dnsupdate.config.IssuerSettings;
import io.dnsupdate.config.KeyMaterial;
import io.dnsupdate.dns.DnsQuery;
import io.dnsupdate.dns.DnsUpdateClient;
import io.dnsupdate.dns.DnsUpdateException;
import io.dnsupdate.dns.FailureReason;
import io.dnsupdate.dns.ServerEndpoint;
import io.dnsupdate.dns.TsigCredentials;
import io.dnsupdate.dns.ZoneFinder;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.xbill.DNS.Name;

/**
 * Proves that an issuer's nameserver accepts its key: finds the zone of each allowed domain with
 * signed SOA queries (unless the spec names the zone), then sends each zone a signed UPDATE whose
 * prerequisite always fails, so nothing changes. The primary is asked first; later nameservers only
 * when it is unreachable.
 */
public final class IssuerProbe {
  private final Clock clock;

  public IssuerProbe(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Probes with the current key, and with a still-kept previous key if the current is rejected. */
  public IssuerOutcome probe(IssuerSettings settings, KeyMaterial keys) {
    Instant now = clock.instant();
    TsigCredentials current = keys.current();
    Optional<TsigCredentials> previous = keys.previousAt(now);
    List<String> unreachable = new ArrayList<>();
    for (ServerEndpoint server : settings.servers()) {
      Attempt attempt = attempt(server, settings, current);
      if (attempt.error == null) {
        return success(attempt, server, current, now, false);
      }
      FailureReason reason = attempt.error.reason();
      if (reason == FailureReason.NameserverUnreachable) {
        unreachable.add(attempt.error.getMessage());
        continue;
      }
      if (reason == FailureReason.KeyRejected && previous.isPresent()) {
        Attempt old = attempt(server, settings, previous.get());
        if (old.error == null) {
          return success(old, server, previous.get(), now, true);
        }
      }
      return new IssuerOutcome(
          IssuerReason.of(reason),
          attempt.error.getMessage(),
          attempt.zoneText(),
          null,
          current.keyName().toString(),
          now,
          false);
    }
    String message =
        unreachable.size() == 1
            ? unreachable.get(0)
            : "no nameserver answered: " + String.join("; ", unreachable);
    return new IssuerOutcome(
        IssuerReason.NameserverUnreachable,
        message,
        settings.zone().map(Name::toString).orElse(null),
        null,
        current.keyName().toString(),
        now,
        false);
  }

  private IssuerOutcome success(
      Attempt attempt,
      ServerEndpoint server,
      TsigCredentials key,
      Instant now,
      boolean previousKeyOnly) {
    String zones = attempt.zones.stream().map(Name::toString).collect(Collectors.joining(", "));
    String message =
        "nameserver "
            + hostPort(server)
            + " accepted a request signed with key '"
            + key.keyName()
            + "' (fingerprint "
            + key.fingerprint()
            + ") for zone"
            + (attempt.zones.size() == 1 ? " " : "s ")
            + zones;
    if (previousKeyOnly) {
      message =
          message
              + ", but only the PREVIOUS key of the rotation overlap: give the nameserver the new"
              + " key before the overlap ends";
    }
    return new IssuerOutcome(
        IssuerReason.Authenticated,
        message,
        attempt.zoneText(),
        hostPort(server),
        key.keyName().toString(),
        now,
        previousKeyOnly);
  }

  private Attempt attempt(ServerEndpoint server, IssuerSettings settings, TsigCredentials key) {
    Set<Name> zones = new LinkedHashSet<>();
    try {
      if (settings.zone().isPresent()) {
        zones.add(settings.zone().get());
      } else {
        ZoneFinder finder = new ZoneFinder(new DnsQuery(server, key, clock));
        for (Name challenge : settings.domainPolicy().challengeNames()) {
          zones.add(finder.findZone(challenge));
        }
      }
      DnsUpdateClient client = new DnsUpdateClient(server, key, clock);
      for (Name zone : zones) {
        client.probe(zone);
      }
      return new Attempt(List.copyOf(zones), null);
    } catch (DnsUpdateException e) {
      return new Attempt(List.copyOf(zones), e);
    }
  }

  /** {@code host:port}, IPv6 in brackets. */
  static String hostPort(ServerEndpoint server) {
    String host = server.nameserver().host();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + server.port();
  }

  private record Attempt(List<Name> zones, DnsUpdateException error) {
    String zoneText() {
      return zones.isEmpty() ? null : zones.get(0).toString();
    }
  }
}
