package io.dnsupdate.webhook.challenge;

import io.dnsupdate.api.DnsUpdateIssuer;
import io.dnsupdate.api.DnsUpdateIssuerStatus;
import io.dnsupdate.api.OutsideGrants;
import io.dnsupdate.api.TsigKey;
import io.dnsupdate.config.DomainPolicy;
import io.dnsupdate.config.IssuerSettings;
import io.dnsupdate.dns.DnsUpdateClient;
import io.dnsupdate.dns.DnsUpdateException;
import io.dnsupdate.dns.FailureReason;
import io.dnsupdate.dns.Nameserver;
import io.dnsupdate.dns.ServerEndpoint;
import io.dnsupdate.dns.TlsSettings;
import io.dnsupdate.dns.Transport;
import io.dnsupdate.dns.TsigCredentials;
import io.dnsupdate.dns.TxtChange;
import io.dnsupdate.dns.UpdateResult;
import io.dnsupdate.dns.ZoneFinder;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/**
 * Sends one TXT change for a resolved issuer: with its Kerberos login, or each usable key in turn
 * (a rejected key is retried with the rotation's previous key, then with a freshly read Secret),
 * each on the primary and then on the fallbacks when it is unreachable, through the {@link
 * UpdateBatcher} so concurrent changes share messages. Sending stops at the request's deadline.
 */
final class UpdatePublisher {
  private static final Logger log = LoggerFactory.getLogger(UpdatePublisher.class);

  private final KeyMaterialCache keys;
  private final UpdateBatcher batcher;
  private final Clock clock;
  private final Duration budget;
  private final ZoneCache zones;

  /**
   * Where a change went: the server that took it, with which key, in which zone, and the zone
   * serial that holds it when the server moved the serial for it.
   */
  record Applied(ServerEndpoint server, MessageSigner signer, Name zone, OptionalLong serial) {}

  /** Messages with equal lanes may share one UPDATE. */
  private record Lane(
      Nameserver nameserver,
      Transport transport,
      TlsSettings tls,
      Duration timeout,
      Object signer,
      Name zone,
      DnsUpdateClient.Confirm confirm) {}

  /**
   * @param budget the request budget, named in the message when it runs out
   */
  UpdatePublisher(KeyMaterialCache keys, UpdateBatcher batcher, Clock clock, Duration budget) {
    this.keys = keys;
    this.batcher = batcher;
    this.clock = clock;
    this.budget = budget;
    this.zones = new ZoneCache(clock);
  }

  /**
   * Sends the change with each usable key in turn (current, then the previous one during a rotation
   * overlap), then once more with a freshly read Secret if the nameserver rejected all.
   */
  Applied publish(ResolvedIssuer resolved, TxtChange change, Deadline deadline)
      throws SolverFailure {
    if (resolved.credential() instanceof ResolvedIssuer.Login login) {
      return publishSigned(resolved, login.login(), change, deadline);
    }
    ResolvedIssuer.Key key = (ResolvedIssuer.Key) resolved.credential();
    IssuerSettings settings = resolved.settings();
    TsigKey tsigKey = key.tsigKey();
    List<TsigCredentials> tried = new ArrayList<>();
    DnsUpdateException rejected = null;
    KeyMaterialCache.KeyHandle handle = key.handle();
    for (int round = 0; round < 2; round++) {
      for (TsigCredentials c : handle.material().usableAt(clock.instant())) {
        if (tried.stream().anyMatch(c::sameKeyAs)) {
          continue;
        }
        tried.add(c);
        try {
          return applyWith(settings, resolved.issuer(), new MessageSigner.Key(c), change, deadline);
        } catch (DnsUpdateException e) {
          if (e.reason() == FailureReason.UpdateRefused
              || e.reason() == FailureReason.UpdateNotApplied) {
            throw refusedWithHint(resolved, change, e);
          }
          if (e.reason() != FailureReason.KeyRejected) {
            throw SolverFailure.of(e);
          }
          rejected = e;
          log.debug("key {} rejected: {}", c, e.getMessage());
        }
      }
      if (round == 0) {
        handle = keys.refresh(tsigKey, handle);
      }
    }
    String ns = tsigKey.getMetadata().getNamespace();
    throw new SolverFailure(
        FailureReason.KeyRejected,
        Objects.requireNonNull(rejected).getMessage()
            + (tried.size() > 1
                ? " (tried "
                    + tried.size()
                    + " keys of TsigKey "
                    + ns
                    + "/"
                    + tsigKey.getMetadata().getName()
                    + ", including the previous key of a rotation)"
                : "")
            + "; the nameserver must know key "
            + tried.get(0).keyName()
            + " with the secret of TsigKey "
            + ns
            + "/"
            + tsigKey.getMetadata().getName()
            + " (fingerprint "
            + tried.get(0).fingerprint()
            + "; its nameserver-config Secret has the clause to install)",
        rejected);
  }

  /**
   * With a Kerberos login: its contexts renegotiate by themselves when a server rejects one, and a
   * keytab the KDC refuses failed at the login already, so there is nothing else to try. The
   * engine's messages name the principals and what the server needs (tkey-gssapi-keytab).
   */
  private Applied publishSigned(
      ResolvedIssuer resolved, KerberosLogin login, TxtChange change, Deadline deadline)
      throws SolverFailure {
    try {
      return applyWith(
          resolved.settings(),
          resolved.issuer(),
          new MessageSigner.Kerberos(login),
          change,
          deadline);
    } catch (DnsUpdateException e) {
      if (e.reason() == FailureReason.UpdateRefused
          || e.reason() == FailureReason.UpdateNotApplied) {
        throw refusedWithHint(resolved, change, e);
      }
      throw SolverFailure.of(e);
    }
  }

  /**
   * A name below a listed domain passes the policy, but BIND can grant exact names only, so the
   * operator rendered no grant for it: say which domain to add instead of leaving the user with a
   * bare REFUSED.
   */
  private static SolverFailure refusedWithHint(
      ResolvedIssuer resolved, TxtChange change, DnsUpdateException e) {
    if (resolved.settings().domainPolicy().challengeNames().contains(change.owner())) {
      return SolverFailure.of(e);
    }
    String owner = change.owner().toString();
    String label = DomainPolicy.CHALLENGE_LABEL + ".";
    String domain = owner.substring(owner.indexOf(label) + label.length(), owner.length() - 1);
    return new SolverFailure(
        e.reason(),
        e.getMessage()
            + ". The operator renders update-policy grants for the exact _acme-challenge name of"
            + " each listed domain only (BIND cannot grant a pattern): add '"
            + domain
            + "' to spec.domains of DnsUpdateIssuer "
            + resolved.id()
            + " and load the updated nameserver-config Secret into the nameserver",
        e);
  }

  /** The primary first, the fallbacks when the primary is unreachable. */
  private Applied applyWith(
      IssuerSettings settings,
      DnsUpdateIssuer issuer,
      MessageSigner signer,
      TxtChange change,
      Deadline deadline)
      throws DnsUpdateException {
    DnsUpdateException unreachable = null;
    for (ServerEndpoint server : settings.servers()) {
      if (!clock.instant().isBefore(deadline.at())) {
        break;
      }
      try {
        return applyOn(settings, issuer, server, signer, change, deadline);
      } catch (DnsUpdateException e) {
        if (e.reason() != FailureReason.NameserverUnreachable) {
          throw e;
        }
        log.debug("{} unreachable, trying the next nameserver: {}", server, e.getMessage());
        unreachable = e;
      }
    }
    if (unreachable != null) {
      if (settings.servers().size() > 1) {
        throw new DnsUpdateException(
            FailureReason.NameserverUnreachable,
            "none of the "
                + settings.servers().size()
                + " nameservers of the issuer answered; last: "
                + unreachable.getMessage(),
            unreachable);
      }
      throw unreachable;
    }
    throw budgetSpent();
  }

  /**
   * One server. The zone is spec.zone, else the operator's status.zone when it holds the name, else
   * discovered by SOA query; a status zone the server rejects as wrong (a delegated {@code
   * _acme-challenge} subzone) is replaced by a discovered one.
   */
  private Applied applyOn(
      IssuerSettings settings,
      DnsUpdateIssuer issuer,
      ServerEndpoint server,
      MessageSigner signer,
      TxtChange change,
      Deadline deadline)
      throws DnsUpdateException {
    Name owner = change.owner();
    DnsUpdateClient.Confirm confirm = confirmation(issuer, server);
    if (settings.zone().isPresent()) {
      Name zone = settings.zone().get();
      return applied(server, signer, zone, send(server, signer, zone, change, confirm, deadline));
    }
    Name statusZone = statusZone(issuer);
    if (statusZone != null && owner.subdomain(statusZone)) {
      try {
        return applied(
            server,
            signer,
            statusZone,
            send(server, signer, statusZone, change, confirm, deadline));
      } catch (DnsUpdateException e) {
        if (e.reason() != FailureReason.ZoneNotFound) {
          throw e;
        }
        Name found = discover(server, signer, owner, true);
        if (found.equals(statusZone)) {
          throw e;
        }
        return applied(
            server, signer, found, send(server, signer, found, change, confirm, deadline));
      }
    }
    Name zone = discover(server, signer, owner, false);
    return applied(server, signer, zone, send(server, signer, zone, change, confirm, deadline));
  }

  private static Applied applied(
      ServerEndpoint server, MessageSigner signer, Name zone, UpdateResult result) {
    return new Applied(server, signer, zone, result.serial());
  }

  /**
   * Changes are read back unless the operator's probe found that this server, the issuer's primary,
   * refuses changes outside the key's grants with an error rcode ({@link OutsideGrants#Refused}):
   * then NOERROR means the server made every change of the message (RFC 2136 §3.7), and a signed
   * query per name buys nothing. A fallback server was not probed; a server that skips changes
   * silently (PowerDNS) needs the read-back to tell a change it skipped.
   */
  static DnsUpdateClient.Confirm confirmation(DnsUpdateIssuer issuer, ServerEndpoint server) {
    DnsUpdateIssuerStatus status = issuer.getStatus();
    boolean loud =
        status != null
            && status.getOutsideGrants() == OutsideGrants.Refused
            && server.hostPort().equals(status.getPrimary());
    return loud ? DnsUpdateClient.Confirm.BY_RCODE : DnsUpdateClient.Confirm.READ_BACK;
  }

  private UpdateResult send(
      ServerEndpoint server,
      MessageSigner signer,
      Name zone,
      TxtChange change,
      DnsUpdateClient.Confirm confirm,
      Deadline deadline)
      throws DnsUpdateException {
    Duration left = Duration.between(clock.instant(), deadline.at());
    if (left.isNegative() || left.isZero()) {
      throw budgetSpent();
    }
    if (deadline.callerGone().getAsBoolean()) {
      // the last look before the message: a caller that went while the zone was looked up or a
      // key read gets no change made on its behalf
      throw new DnsUpdateException(FailureReason.NameserverUnreachable, Deadline.CALLER_GONE);
    }
    DnsUpdateClient client = signer.updates(server, clock);
    Lane lane =
        new Lane(
            server.nameserver(),
            server.transport(),
            server.tls(),
            server.timeout(),
            signer.lane(server),
            zone,
            confirm);
    return batcher.apply(
        lane, (z, changes) -> client.apply(z, changes, confirm), zone, change, left);
  }

  private DnsUpdateException budgetSpent() {
    return new DnsUpdateException(
        FailureReason.NameserverUnreachable,
        "the request budget of " + budget.toSeconds() + " s ran out before the update was sent");
  }

  /** Through the {@link ZoneCache}: a zone cut rarely moves. */
  private Name discover(ServerEndpoint server, MessageSigner signer, Name owner, boolean fresh)
      throws DnsUpdateException {
    return zones.zone(
        server,
        signer.who(),
        owner,
        fresh,
        () -> new ZoneFinder(signer.queries(server, clock)).findZone(owner));
  }

  private static Name statusZone(DnsUpdateIssuer issuer) {
    String z = issuer.getStatus() == null ? null : issuer.getStatus().getZone();
    if (z == null || z.isBlank()) {
      return null;
    }
    try {
      return Name.fromString(z.strip(), Name.root).canonicalize();
    } catch (TextParseException e) {
      return null;
    }
  }
}
