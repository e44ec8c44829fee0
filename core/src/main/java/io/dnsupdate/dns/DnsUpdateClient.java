package io.dnsupdate.dns;

import java.time.Clock;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.Update;

/**
 * Sends TSIG-signed RFC 2136 UPDATE messages to one primary nameserver. Adds and deletes single TXT
 * values; both are idempotent (adding a present value and deleting an absent one succeed, RFC 2136
 * §3.4.2), which also makes a retry after a lost answer safe. Thread-safe.
 */
public final class DnsUpdateClient {
  private static final Logger log = LoggerFactory.getLogger(DnsUpdateClient.class);

  private final ServerEndpoint endpoint;
  private final TsigCredentials credentials;
  private final Clock clock;
  private final DnsExchange exchange;

  public DnsUpdateClient(ServerEndpoint endpoint, TsigCredentials credentials, Clock clock) {
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    this.credentials = Objects.requireNonNull(credentials, "credentials");
    this.clock = clock == null ? Clock.systemUTC() : clock;
    this.exchange = new DnsExchange(endpoint, this.clock);
  }

  public ServerEndpoint endpoint() {
    return endpoint;
  }

  /** Adds one TXT value at {@code owner}; a value already present is left as it is. */
  public UpdateResult addTxt(Name zone, Name owner, String value, long ttl)
      throws DnsUpdateException {
    return apply(zone, List.of(TxtChange.add(owner, value, ttl)));
  }

  /** Deletes exactly this TXT value at {@code owner}; other values at the name stay. */
  public UpdateResult deleteTxt(Name zone, Name owner, String value) throws DnsUpdateException {
    return apply(zone, List.of(TxtChange.delete(owner, value)));
  }

  /**
   * Applies all changes in one UPDATE message: the server applies all of them or none (RFC 2136
   * §3.7), and many challenges cost one round trip.
   */
  public UpdateResult apply(Name zone, List<TxtChange> changes) throws DnsUpdateException {
    if (changes.isEmpty()) {
      return new UpdateResult(0, false);
    }
    requireAbsolute(zone);
    Update update = new Update(zone);
    for (TxtChange change : changes) {
      if (!change.owner().subdomain(zone)) {
        throw new DnsUpdateException(
            FailureReason.ZoneNotFound,
            "'"
                + change.owner()
                + "' is not inside zone '"
                + zone
                + "'; nothing was sent to nameserver "
                + endpoint);
      }
      switch (change.operation()) {
        case ADD -> update.add(change.record());
        case DELETE -> update.delete(change.record());
      }
    }
    List<Name> owners = changes.stream().map(TxtChange::owner).toList();
    return send(zone, update, owners, changes.size());
  }

  /** Signs and sends a prepared UPDATE; any rcode but NOERROR is a failure. */
  UpdateResult send(Name zone, Update update, List<Name> owners, int changes)
      throws DnsUpdateException {
    String subject = "the update of zone '" + zone + "'";
    DnsExchange.Answer answer = exchange.send(update, signer(), keyName(), subject);
    int rcode = answer.message().getRcode();
    if (rcode != Rcode.NOERROR) {
      throw Rcodes.updateFailure(rcode, endpoint, zone, owners, keyName());
    }
    log.debug("{} accepted {} change(s) in zone {}", endpoint, changes, zone);
    return new UpdateResult(changes, answer.retriedOverTcp());
  }

  /**
   * Proves that the server knows the key, the secret matches, the clocks agree and the server is
   * authoritative for the zone, without changing it: an UPDATE whose only prerequisite ("the apex
   * name is not in use", RFC 2136 §2.4.5) always fails, so the server evaluates the signature and
   * the zone and then stops with YXDOMAIN.
   */
  public void probe(Name zone) throws DnsUpdateException {
    requireAbsolute(zone);
    Update update = new Update(zone);
    update.absent(zone);
    String subject = "the probe of zone '" + zone + "'";
    int rcode = exchange.send(update, signer(), keyName(), subject).message().getRcode();
    if (rcode == Rcode.YXDOMAIN || rcode == Rcode.NOERROR) {
      return;
    }
    throw Rcodes.updateFailure(rcode, endpoint, zone, List.of(zone), keyName());
  }

  private TSIG signer() {
    return credentials.signer(clock);
  }

  private String keyName() {
    return credentials.keyName().toString();
  }

  static void requireAbsolute(Name zone) {
    if (!Objects.requireNonNull(zone, "zone").isAbsolute()) {
      throw new IllegalArgumentException("zone '" + zone + "' must be absolute");
    }
  }
}
