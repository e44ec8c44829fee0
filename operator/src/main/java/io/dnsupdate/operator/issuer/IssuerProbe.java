package io.dnsupdate.operator.issuer;

import io.dnsupdate.api.OutsideGrants;
import io.dnsupdate.config.IssuerSettings;
import io.dnsupdate.config.KeyMaterial;
import io.dnsupdate.dns.DnsUpdateClient;
import io.dnsupdate.dns.DnsUpdateException;
import io.dnsupdate.dns.FailureReason;
import io.dnsupdate.dns.ServerEndpoint;
import io.dnsupdate.dns.TxtChange;
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
 * Proves that an issuer's nameserver accepts its key or Kerberos principal ({@link ProbeSigner}):
 * finds the zone of each allowed domain with signed SOA queries (unless the spec names the zone),
 * then sends each zone a signed UPDATE whose prerequisite always fails, so nothing changes. The
 * primary is asked first; later nameservers only when it is unreachable.
 *
 * <p>Then it checks the key's limits, zone by zone: a TXT record outside every challenge name must
 * be refused. A server that refuses it with an error (BIND, Knot DNS) has nothing more to show. A
 * server that answers NOERROR and does not make it (PowerDNS with its Lua update policy) may refuse
 * the challenge names just as silently, so those are written and deleted again (KeyNotLimited
 * otherwise UpdateNotApplied). A server that makes it (PowerDNS without the policy, BIND with
 * allow-update) lets the key change the whole zone: the record is deleted again and the issuer is
 * Ready with reason KeyNotLimited, saying so.
 */
public final class IssuerProbe {
  private final Clock clock;

  public IssuerProbe(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Probes with the current key, and with a still-kept previous key if the current is rejected. */
  public IssuerOutcome probe(IssuerSettings settings, KeyMaterial keys) {
    Instant now = clock.instant();
    Optional<ProbeSigner> previous = keys.previousAt(now).map(k -> ProbeSigner.tsig(k, clock));
    return probe(settings, ProbeSigner.tsig(keys.current(), clock), previous, now);
  }

  /**
   * Probes with {@code signer} (a Kerberos principal's GSS-TSIG contexts, see {@link
   * GssProbeSigner}); the caller closes it.
   */
  IssuerOutcome probe(IssuerSettings settings, ProbeSigner signer) {
    return probe(settings, signer, Optional.empty(), clock.instant());
  }

  private IssuerOutcome probe(
      IssuerSettings settings, ProbeSigner current, Optional<ProbeSigner> previous, Instant now) {
    List<String> unreachable = new ArrayList<>();
    for (ServerEndpoint server : settings.servers()) {
      Attempt attempt = attempt(server, settings, current);
      if (attempt.error == null) {
        return limits(
            success(attempt, server, current, now, false), attempt, server, settings, current);
      }
      FailureReason reason = attempt.error.reason();
      if (reason == FailureReason.NameserverUnreachable) {
        unreachable.add(attempt.error.getMessage());
        continue;
      }
      if (reason == FailureReason.KeyRejected && previous.isPresent()) {
        Attempt old = attempt(server, settings, previous.get());
        if (old.error == null) {
          return limits(
              success(old, server, previous.get(), now, true),
              old,
              server,
              settings,
              previous.get());
        }
      }
      return new IssuerOutcome(
          IssuerReason.of(reason),
          attempt.error.getMessage(),
          attempt.zoneText(),
          null,
          current.name(),
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
        current.name(),
        now,
        false);
  }

  private IssuerOutcome success(
      Attempt attempt,
      ServerEndpoint server,
      ProbeSigner signer,
      Instant now,
      boolean previousKeyOnly) {
    String zones = attempt.zones.stream().map(Name::toString).collect(Collectors.joining(", "));
    String message =
        "nameserver "
            + server.hostPort()
            + " accepted a request signed with "
            + signer.describe(server)
            + " for zone"
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
        server.hostPort(),
        signer.name(),
        now,
        previousKeyOnly);
  }

  /** The key's limits on each zone the probe found (see the class comment). */
  private IssuerOutcome limits(
      IssuerOutcome accepted,
      Attempt attempt,
      ServerEndpoint server,
      IssuerSettings settings,
      ProbeSigner signer) {
    DnsUpdateClient client = signer.client(server);
    List<Name> unlimited = new ArrayList<>();
    OutsideGrants outside = null;
    try {
      for (Name zone : attempt.zones) {
        DnsUpdateClient.Limit limit = client.probeLimit(zone);
        switch (limit) {
          case NOT_LIMITED -> unlimited.add(zone);
          case REFUSED_SILENTLY -> writeChallengeNames(client, zone, settings);
          case REFUSED -> {}
        }
        outside = OutsideGrants.leastLimited(outside, OutsideGrants.of(limit));
      }
    } catch (DnsUpdateException e) {
      return new IssuerOutcome(
          IssuerReason.of(e.reason()),
          e.getMessage(),
          accepted.zone(),
          accepted.primary(),
          accepted.keyName(),
          accepted.probedAt(),
          false);
    }
    if (unlimited.isEmpty()) {
      return accepted.withOutsideGrants(outside);
    }
    String zones = unlimited.stream().map(Name::toString).collect(Collectors.joining(", "));
    return new IssuerOutcome(
        IssuerReason.KeyNotLimited,
        accepted.message()
            + "; but the key is NOT limited to its challenge names: the nameserver let it write a"
            + " TXT record at "
            + DnsUpdateClient.limitProbeName(unlimited.get(0))
            + " (removed again), so it can change every record of zone "
            + zones
            + ". "
            + signer.grantsHint(),
        accepted.zone(),
        accepted.primary(),
        accepted.keyName(),
        accepted.probedAt(),
        accepted.previousKeyOnly(),
        outside);
  }

  /**
   * On a server that refuses silently: a probe value at every challenge name of the zone, in one
   * UPDATE that the engine reads back, then deleted again however that went.
   */
  private static void writeChallengeNames(
      DnsUpdateClient client, Name zone, IssuerSettings settings) throws DnsUpdateException {
    List<Name> names =
        settings.domainPolicy().challengeNames().stream().filter(n -> n.subdomain(zone)).toList();
    if (names.isEmpty()) {
      return;
    }
    String value = "dnsupdate-operator probe " + java.util.UUID.randomUUID();
    try {
      client.apply(zone, names.stream().map(n -> TxtChange.add(n, value, 0)).toList());
    } finally {
      try {
        client.apply(zone, names.stream().map(n -> TxtChange.delete(n, value)).toList());
      } catch (DnsUpdateException e) {
        // the add failed the same way, and its message says why
      }
    }
  }

  private Attempt attempt(ServerEndpoint server, IssuerSettings settings, ProbeSigner signer) {
    Set<Name> zones = new LinkedHashSet<>();
    try {
      if (settings.zone().isPresent()) {
        zones.add(settings.zone().get());
      } else {
        ZoneFinder finder = new ZoneFinder(signer.query(server));
        for (Name challenge : settings.domainPolicy().challengeNames()) {
          zones.add(finder.findZone(challenge));
        }
      }
      DnsUpdateClient client = signer.client(server);
      for (Name zone : zones) {
        client.probe(zone);
      }
      return new Attempt(List.copyOf(zones), null);
    } catch (DnsUpdateException e) {
      return new Attempt(List.copyOf(zones), e);
    }
  }

  /** {@code host:port}, IPv6 in brackets. */
  private record Attempt(List<Name> zones, DnsUpdateException error) {
    String zoneText() {
      return zones.isEmpty() ? null : zones.get(0).toString();
    }
  }
}
