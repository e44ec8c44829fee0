package io.dnsupdate.dns;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * Non-recursive queries to one authoritative server. Signed when credentials are given (a TSIG key
 * or a GSS-TSIG context): with split-horizon BIND setups the key selects the view that UPDATEs go
 * to, so zone discovery must see the same view; unsigned otherwise (what an ACME server sees).
 */
public final class DnsQuery {
  private final ServerEndpoint endpoint;
  private final RequestSigner signer;
  private final DnsExchange exchange;

  /**
   * @param credentials key to sign with, or null for unsigned queries
   */
  public DnsQuery(ServerEndpoint endpoint, TsigCredentials credentials, Clock clock) {
    this(
        credentials == null ? null : new RequestSigner.Hmac(credentials),
        endpoint,
        new DnsExchange(
            Objects.requireNonNull(endpoint, "endpoint"),
            clock == null ? Clock.systemUTC() : clock));
  }

  /** Queries signed with a GSS-TSIG context, to the context's nameserver. */
  public DnsQuery(GssTsigContext context) {
    this(
        context,
        context.endpoint(),
        new DnsExchange(context.endpoint(), context.clock(), context.pool()));
  }

  DnsQuery(RequestSigner signer, ServerEndpoint endpoint, DnsExchange exchange) {
    this.endpoint = endpoint;
    this.signer = signer;
    this.exchange = exchange;
  }

  public ServerEndpoint endpoint() {
    return endpoint;
  }

  /** The TXT values at a name, as the server serves them now. */
  public TxtAnswer txt(Name owner) throws DnsUpdateException {
    return txt(owner, ask(owner, Type.TXT));
  }

  /** The TXT values of a {@link #ask TXT query} sent before. */
  TxtAnswer txt(Name owner, DnsExchange.Sent sent) throws DnsUpdateException {
    DnsExchange.Answer answer = checked(sent, owner, Type.TXT);
    List<String> values = new ArrayList<>();
    for (Record r : answer.message().getSection(Section.ANSWER)) {
      if (r instanceof TXTRecord txt && r.getName().equals(owner)) {
        values.add(String.join("", txt.getStrings()));
      }
    }
    return new TxtAnswer(List.copyOf(values), answer.message().getRcode(), answer.retriedOverTcp());
  }

  /**
   * The zone's SOA serial as the server serves it now; empty when it does not serve the zone's SOA
   * (not authoritative: REFUSED, or no SOA at that name).
   */
  public OptionalLong soaSerial(Name zone) throws DnsUpdateException {
    return soaSerial(zone, ask(zone, Type.SOA));
  }

  /** The serial of an {@link #ask SOA query} sent before. */
  OptionalLong soaSerial(Name zone, DnsExchange.Sent sent) throws DnsUpdateException {
    DnsExchange.Answer answer = checked(sent, zone, Type.SOA);
    for (Record r : answer.message().getSection(Section.ANSWER)) {
      if (r instanceof SOARecord soa && r.getName().equals(zone)) {
        return OptionalLong.of(soa.getSerial());
      }
    }
    return OptionalLong.empty();
  }

  /** The answer and authority sections for a non-recursive query, with the rcode checked. */
  DnsExchange.Answer query(Name name, int type) throws DnsUpdateException {
    return checked(ask(name, type), name, type);
  }

  /**
   * Sends a non-recursive query without waiting for the answer: several queries of one caller
   * travel pipelined on the pooled connections, so reading back 80 names costs about one round
   * trip.
   */
  DnsExchange.Sent ask(Name name, int type) {
    DnsUpdateClient.requireAbsolute(name);
    Message query = Message.newQuery(Record.newRecord(name, type, DClass.IN));
    query.getHeader().unsetFlag(Flags.RD);
    return exchange.start(query, signer, subject(name, type));
  }

  private DnsExchange.Answer checked(DnsExchange.Sent sent, Name name, int type)
      throws DnsUpdateException {
    DnsExchange.Answer answer = sent.answer();
    int rcode = answer.message().getRcode();
    if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN && rcode != Rcode.REFUSED) {
      throw new DnsUpdateException(
          FailureReason.ServerFailure,
          "nameserver "
              + endpoint
              + " answered "
              + Rcode.string(rcode)
              + " to "
              + subject(name, type));
    }
    return answer;
  }

  private static String subject(Name name, int type) {
    return "the " + Type.string(type) + " query for '" + name + "'";
  }

  /**
   * The TXT values served at a name.
   *
   * @param rcode NOERROR, NXDOMAIN or REFUSED (not authoritative)
   */
  public record TxtAnswer(List<String> values, int rcode, boolean retriedOverTcp) {}
}
