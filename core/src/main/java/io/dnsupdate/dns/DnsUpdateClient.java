package io.dnsupdate.dns;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;
import org.xbill.DNS.Update;

/**
 * Sends signed RFC 2136 UPDATE messages to one primary nameserver: with a TSIG key (HMAC) or a
 * Kerberos security context (GSS-TSIG, RFC 3645; the read-backs are signed the same way). Adds and
 * deletes single TXT values; both are idempotent (adding a present value and deleting an absent one
 * succeed, RFC 2136 §3.4.2), which also makes a retry after a lost answer safe. A NOERROR answer is
 * not taken on trust: the changed names are read back from the same server (one signed TXT query
 * per name), since PowerDNS answers NOERROR to a change its update policy refuses. A message that
 * adds values also reads the zone's SOA serial before and after, so that propagation can be checked
 * per message rather than per name ({@link UpdateResult#serial}). Thread-safe.
 */
public final class DnsUpdateClient {
  private static final Logger log = LoggerFactory.getLogger(DnsUpdateClient.class);

  private final ServerEndpoint endpoint;
  private final RequestSigner signer;
  private final DnsExchange exchange;
  private final DnsQuery readBack;

  public DnsUpdateClient(ServerEndpoint endpoint, TsigCredentials credentials, Clock clock) {
    this(
        Objects.requireNonNull(endpoint, "endpoint"),
        new RequestSigner.Hmac(Objects.requireNonNull(credentials, "credentials")),
        new DnsExchange(endpoint, clock == null ? Clock.systemUTC() : clock));
  }

  /**
   * A client of the context's nameserver that signs everything with GSS-TSIG. The context stays the
   * caller's to {@link GssTsigContext#close() close}; clients may share it.
   */
  public DnsUpdateClient(GssTsigContext context) {
    this(
        context.endpoint(),
        context,
        new DnsExchange(context.endpoint(), context.clock(), context.pool()));
  }

  private DnsUpdateClient(ServerEndpoint endpoint, RequestSigner signer, DnsExchange exchange) {
    this.endpoint = endpoint;
    this.signer = signer;
    this.exchange = exchange;
    // Signed like the update: with split horizons the key selects the view the update went to.
    this.readBack = new DnsQuery(signer, endpoint, exchange);
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
   * §3.7), and many challenges cost one round trip. Then reads each changed name back from the
   * server.
   *
   * @throws DnsUpdateException with {@link FailureReason#UpdateNotApplied} when the server answered
   *     NOERROR but does not serve every change (PowerDNS applies the permitted records of a
   *     message and skips the rest)
   */
  public UpdateResult apply(Name zone, List<TxtChange> changes) throws DnsUpdateException {
    return apply(zone, changes, Confirm.READ_BACK);
  }

  /** How {@link #apply(Name, List, Confirm)} makes sure the server made the changes. */
  public enum Confirm {
    /** Reads each changed name back: needed where a server may skip a change silently. */
    READ_BACK,
    /**
     * Trusts NOERROR: for a server known to refuse loudly (BIND, Knot; an issuer's {@code
     * status.outsideGrants} of {@code Refused}), NOERROR means every change of the message was made
     * (RFC 2136 §3.7), and a read-back per name would only cost a signed query each.
     */
    BY_RCODE
  }

  /**
   * {@link #apply(Name, List)}, reading the changed names back only with {@link Confirm#READ_BACK}.
   * An add asks for the zone's serial around the UPDATE either way.
   */
  public UpdateResult apply(Name zone, List<TxtChange> changes, Confirm confirm)
      throws DnsUpdateException {
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
    boolean adds = changes.stream().anyMatch(c -> c.operation() == TxtChange.Operation.ADD);
    // The serial before is asked for beside the UPDATE, not a round trip ahead of it, and on the
    // same connection right ahead of it: the server answers it before it reads the UPDATE. Where
    // the order is not kept (UDP, a connection lost in between), a server may answer it after
    // applying the update: then "before" already holds the new serial, the serial seems not to
    // move and the result carries none. A late "before" can only hide a move, never invent one.
    DnsExchange.Sent before = adds ? readBack.ask(zone, Type.SOA) : null;
    UpdateResult result;
    try {
      result = send(zone, update, owners, changes.size(), before);
    } catch (DnsUpdateException e) {
      if (before != null) {
        before.abandon();
      }
      throw e;
    }
    // the serial after travels with the read-backs: both only need the UPDATE answered
    DnsExchange.Sent after = adds ? readBack.ask(zone, Type.SOA) : null;
    try {
      if (confirm == Confirm.READ_BACK) {
        confirm(zone, changes);
      }
    } catch (DnsUpdateException | RuntimeException e) {
      if (after != null) {
        before.abandon();
        after.abandon();
      }
      throw e;
    }
    if (after == null) {
      return result;
    }
    OptionalLong serialBefore = serial(zone, before);
    OptionalLong serialAfter = serial(zone, after);
    // Only a serial that moved marks a version that holds the changes; a server that changes a zone
    // and keeps its serial (or serves no SOA to the key) leaves only the names to be checked. Not
    // caught: a server that keeps its serial on updates while someone else raises it between our
    // two reads; none of BIND, Knot and PowerDNS keeps it (RenderedConfigIT).
    if (serialBefore.isPresent()
        && serialAfter.isPresent()
        && SoaSerial.later(serialAfter.getAsLong(), serialBefore.getAsLong())) {
      return new UpdateResult(result.changes(), result.retriedOverTcp(), serialAfter);
    }
    return result;
  }

  /** The zone's serial as the server serves it to our key; empty where it cannot be read. */
  private OptionalLong serial(Name zone, DnsExchange.Sent sent) {
    try {
      return readBack.soaSerial(zone, sent);
    } catch (DnsUpdateException e) {
      log.debug("{} did not tell the serial of {}: {}", endpoint, zone, e.getMessage());
      return OptionalLong.empty();
    }
  }

  /**
   * Reads every changed name back: each value added last must be served, each deleted last must
   * not. One TXT query per distinct name, pipelined on the pooled connections with at most {@link
   * #READS_IN_FLIGHT} of them waiting, so a message of 1,000 names cannot fill a socket buffer.
   */
  private void confirm(Name zone, List<TxtChange> changes) throws DnsUpdateException {
    Map<Name, Map<String, Boolean>> wanted = new LinkedHashMap<>();
    for (TxtChange c : changes) {
      wanted
          .computeIfAbsent(c.owner(), o -> new LinkedHashMap<>())
          .put(c.value(), c.operation() == TxtChange.Operation.ADD);
    }
    List<String> missing = new ArrayList<>();
    Deque<Map.Entry<Name, DnsExchange.Sent>> inFlight = new ArrayDeque<>();
    try {
      for (Name owner : wanted.keySet()) {
        if (inFlight.size() == READS_IN_FLIGHT) {
          compare(inFlight.poll(), wanted, missing);
        }
        inFlight.add(Map.entry(owner, readBack.ask(owner, Type.TXT)));
      }
      while (!inFlight.isEmpty()) {
        compare(inFlight.poll(), wanted, missing);
      }
    } finally {
      inFlight.forEach(read -> read.getValue().abandon());
    }
    if (!missing.isEmpty()) {
      throw new DnsUpdateException(
          FailureReason.UpdateNotApplied,
          "nameserver "
              + endpoint
              + " answered NOERROR to the update of zone '"
              + zone
              + "' by "
              + signer.who()
              + ", but "
              + String.join("; ", missing.stream().distinct().toList())
              + ". An update policy on the server most likely refused the change without saying so"
              + " (PowerDNS answers NOERROR when its lua-dnsupdate-policy-script refuses: load the"
              + " pdns-policy.lua of the key's nameserver-config Secret and restart pdns_server);"
              + " or the server passes updates on to another primary (send them to the primary"
              + " itself)");
    }
  }

  /** Read-backs one caller keeps in flight at most. */
  static final int READS_IN_FLIGHT = 64;

  /** Adds to {@code missing} what the answer to one read-back contradicts. */
  private void compare(
      Map.Entry<Name, DnsExchange.Sent> read,
      Map<Name, Map<String, Boolean>> wanted,
      List<String> missing)
      throws DnsUpdateException {
    Name owner = read.getKey();
    DnsQuery.TxtAnswer served = readBack.txt(owner, read.getValue());
    if (served.rcode() == Rcode.REFUSED) {
      // the server does not let us read (allow-query): nothing to compare with
      log.debug("{} refused to read back {}; not confirmed", endpoint, owner);
      return;
    }
    wanted
        .get(owner)
        .forEach(
            (value, present) -> {
              if (served.values().contains(value) != present) {
                missing.add(
                    (present ? "the added TXT value at " : "the deleted TXT value at ")
                        + owner
                        + (present ? " is not served" : " is still served"));
              }
            });
  }

  /** Signs and sends a prepared UPDATE; any rcode but NOERROR is a failure. */
  UpdateResult send(Name zone, Update update, List<Name> owners, int changes)
      throws DnsUpdateException {
    return send(zone, update, owners, changes, null);
  }

  /** {@link #send} right behind {@code earlier} on its connection when not null. */
  private UpdateResult send(
      Name zone, Update update, List<Name> owners, int changes, DnsExchange.Sent earlier)
      throws DnsUpdateException {
    String subject = "the update of zone '" + zone + "'";
    DnsExchange.Answer answer = exchange.startBehind(earlier, update, signer, subject).answer();
    int rcode = answer.message().getRcode();
    if (rcode != Rcode.NOERROR) {
      throw Rcodes.updateFailure(rcode, endpoint, zone, owners, signer.who());
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
    int rcode = exchange.send(update, signer, subject).message().getRcode();
    if (rcode == Rcode.YXDOMAIN || rcode == Rcode.NOERROR) {
      return;
    }
    throw Rcodes.updateFailure(rcode, endpoint, zone, List.of(zone), signer.who());
  }

  /** What a nameserver did with a change the key must not be allowed to make. */
  public enum Limit {
    /** Refused with an error rcode (BIND REFUSED, Knot NOTAUTH/BADKEY). */
    REFUSED,
    /** Answered NOERROR and did not make it (PowerDNS with a Lua update policy). */
    REFUSED_SILENTLY,
    /** Made it: the key is not limited to its names (the probe took the record away again). */
    NOT_LIMITED
  }

  /** The owner name of {@link #probeLimit}'s record: never a challenge name. */
  public static Name limitProbeName(Name zone) {
    try {
      return Name.concatenate(Name.fromConstantString(LIMIT_PROBE_LABEL), zone);
    } catch (org.xbill.DNS.NameTooLongException e) {
      throw new IllegalArgumentException("zone '" + zone + "' is too long for the probe name", e);
    }
  }

  private static final String LIMIT_PROBE_LABEL = "_dnsupdate-limit-probe";

  /**
   * Tries what the key must not be allowed: a TXT record at {@link #limitProbeName} of the zone,
   * outside every challenge name. Where the server makes the change, the record is deleted again at
   * once and the answer is {@link Limit#NOT_LIMITED}.
   */
  public Limit probeLimit(Name zone) throws DnsUpdateException {
    Name owner = limitProbeName(zone);
    String value = "dnsupdate-operator limit probe " + java.util.UUID.randomUUID();
    try {
      apply(zone, List.of(TxtChange.add(owner, value, 0)));
    } catch (DnsUpdateException e) {
      return switch (e.reason()) {
        case UpdateRefused, KeyRejected -> Limit.REFUSED;
        case UpdateNotApplied -> Limit.REFUSED_SILENTLY;
        default -> throw e;
      };
    }
    log.warn("{} let {} write outside its grants at {}", endpoint, signer.who(), owner);
    apply(zone, List.of(TxtChange.delete(owner, value)));
    return Limit.NOT_LIMITED;
  }

  static void requireAbsolute(Name zone) {
    if (!Objects.requireNonNull(zone, "zone").isAbsolute()) {
      throw new IllegalArgumentException("zone '" + zone + "' must be absolute");
    }
  }
}
