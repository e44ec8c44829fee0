package io.dnsupdate.dns.gss;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Objects;
import org.ietf.jgss.GSSContext;
import org.ietf.jgss.GSSException;
import org.ietf.jgss.GSSManager;
import org.ietf.jgss.GSSName;
import org.ietf.jgss.MessageProp;
import org.ietf.jgss.Oid;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TKEYRecord;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TSIGRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;
import org.xbill.DNS.WireParseException;

/**
 * A GSS-TSIG security context with one nameserver (RFC 3645): negotiated by TKEY mode 3 (RFC 2930)
 * over a {@link DnsChannel}, then used to sign requests and verify their answers with GSS MICs
 * until it expires. Thread-safe. {@link #send} carries one request at a time over the session's
 * channel; {@link #sign} and {@link #verify(Signed, byte[])} let a caller carry requests over its
 * own connections, delivered in the order they were signed: BIND answers BADSIG to a MIC that
 * arrives ahead of its sequence.
 */
public final class GssTsigSession implements AutoCloseable {

  /** The algorithm name of RFC 3645, which BIND and Windows accept. */
  public static final Name GSS_TSIG = TSIG.GSS_TSIG;

  /** The algorithm name older Windows DNS servers (2000) used for GSS-TSIG. */
  public static final Name GSS_MICROSOFT = Name.fromConstantString("gss.microsoft.com.");

  /** Kerberos v5 GSS-API mechanism (RFC 1964). */
  static final Oid KRB5_MECHANISM = oid("1.2.840.113554.1.2.2");

  /** Name type of a Kerberos principal name ({@code service/host@REALM}). */
  static final Oid KRB5_PRINCIPAL_NAME = oid("1.2.840.113554.1.2.2.1");

  private static final int MAX_ROUNDS = 10;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final GSSContext context;
  private final Name keyName;
  private final Name algorithm;
  private final DnsChannel channel;
  private final String principal;
  private final Instant expiresAt;
  private final Clock clock;
  private boolean closed;

  private GssTsigSession(
      GSSContext context,
      Name keyName,
      Name algorithm,
      DnsChannel channel,
      String principal,
      Instant expiresAt,
      Clock clock) {
    this.context = context;
    this.keyName = keyName;
    this.algorithm = algorithm;
    this.channel = channel;
    this.principal = principal;
    this.expiresAt = expiresAt;
    this.clock = clock;
  }

  /** The conventional service principal of a nameserver: {@code DNS/host@REALM}. */
  public static String servicePrincipal(String nameserverHost, String realm) {
    String host =
        nameserverHost.endsWith(".")
            ? nameserverHost.substring(0, nameserverHost.length() - 1)
            : nameserverHost;
    return "DNS/" + host.toLowerCase(java.util.Locale.ROOT) + "@" + realm;
  }

  /**
   * Negotiates a context with the nameserver at {@code server}, which holds the keys of {@code
   * DNS/serverName@REALM} (the realm of the identity).
   */
  public static GssTsigSession negotiate(
      KerberosIdentity identity, InetSocketAddress server, String serverName, Duration timeout)
      throws GssTsigException {
    return negotiate(
        identity,
        server,
        serverName,
        servicePrincipal(serverName, identity.credentials().realm()),
        timeout,
        Clock.systemUTC());
  }

  /**
   * Negotiates a context: TKEY queries for {@code <random>.sig-<serverName>.} carrying the
   * initiator's GSS tokens, as many rounds as the mechanism needs, then checks the signature of the
   * server's last answer with the new context.
   *
   * @param servicePrincipal the nameserver's principal, e.g. {@code DNS/ns1.example.com@REALM}
   * @throws GssTsigException KDC_UNREACHABLE, SERVICE_PRINCIPAL_UNKNOWN, CONTEXT_REJECTED,
   *     RESPONSE_NOT_VERIFIED, NAMESERVER_UNREACHABLE, CLOCK_SKEW
   */
  public static GssTsigSession negotiate(
      KerberosIdentity identity,
      InetSocketAddress server,
      String serverName,
      String servicePrincipal,
      Duration timeout,
      Clock clock)
      throws GssTsigException {
    return negotiate(identity, server, serverName, servicePrincipal, GSS_TSIG, timeout, clock);
  }

  /**
   * {@link #negotiate(KerberosIdentity, InetSocketAddress, String, String, Duration, Clock)} under
   * another algorithm name: {@link #GSS_TSIG} or {@link #GSS_MICROSOFT}.
   */
  public static GssTsigSession negotiate(
      KerberosIdentity identity,
      InetSocketAddress server,
      String serverName,
      String servicePrincipal,
      Name algorithm,
      Duration timeout,
      Clock clock)
      throws GssTsigException {
    return negotiate(
        identity, new TcpChannel(server, timeout), serverName, servicePrincipal, algorithm, clock);
  }

  /**
   * Negotiates a context over any channel (a pooled connection, say): TKEY queries are unsigned, so
   * the channel may pick their ids.
   *
   * @param serverName the nameserver's host name: the context is named {@code
   *     <random>.sig-<serverName>.}
   */
  public static GssTsigSession negotiate(
      KerberosIdentity identity,
      DnsChannel channel,
      String serverName,
      String servicePrincipal,
      Name algorithm,
      Clock clock)
      throws GssTsigException {
    Objects.requireNonNull(servicePrincipal, "servicePrincipal");
    if (!algorithm.equals(GSS_TSIG) && !algorithm.equals(GSS_MICROSOFT)) {
      throw new IllegalArgumentException(
          "GSS-TSIG algorithm must be " + GSS_TSIG + " or " + GSS_MICROSOFT + ", not " + algorithm);
    }
    String where = channel.where();
    Name keyName = newKeyName(serverName);
    GSSContext context;
    byte[] token;
    try {
      GSSManager manager = GSSManager.getInstance();
      GSSName target = manager.createName(servicePrincipal, KRB5_PRINCIPAL_NAME);
      context =
          identity.run(
              () -> {
                GSSContext c =
                    manager.createContext(
                        target, KRB5_MECHANISM, null, GSSContext.DEFAULT_LIFETIME);
                c.requestMutualAuth(true);
                c.requestInteg(true);
                c.requestConf(false);
                c.requestReplayDet(true);
                c.requestSequenceDet(false);
                return c;
              });
      token = identity.run(() -> context0(context));
    } catch (Exception e) {
      throw KerberosErrors.context(e, servicePrincipal, where);
    }
    try {
      for (int round = 1; ; round++) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        Message query =
            tkeyQuery(
                keyName, algorithm, TKEYRecord.GSSAPI, token, now, now.plus(Duration.ofHours(1)));
        int[] sentId = {-1};
        byte[] answerWire =
            channel.exchange(
                id -> {
                  query.getHeader().setID(id);
                  sentId[0] = id;
                  return query.toWire();
                });
        Message answer = parse(answerWire, where);
        if (answer.getHeader().getID() != sentId[0]) {
          throw new GssTsigException(
              GssProblem.RESPONSE_NOT_VERIFIED,
              "nameserver " + where + " answered the TKEY query with another message ID");
        }
        TKEYRecord tkey = tkeyAnswer(answer, keyName, where, servicePrincipal);
        byte[] reply = tkey.getKey() == null ? new byte[0] : tkey.getKey();
        if (!context.isEstablished() && reply.length > 0) {
          byte[] in = reply;
          token = identity.run(() -> context.initSecContext(in, 0, in.length));
        } else {
          token = null;
        }
        if (context.isEstablished()) {
          GssTsigSession session =
              new GssTsigSession(
                  context,
                  keyName,
                  algorithm,
                  channel,
                  identity.principal(),
                  tkey.getTimeExpire(),
                  clock);
          session.verify(null, answerWire, answer, "TKEY");
          return session;
        }
        if (token == null || token.length == 0) {
          throw new GssTsigException(
              GssProblem.CONTEXT_REJECTED,
              "nameserver " + where + " ended the TKEY exchange before the context was set up");
        }
        if (round >= MAX_ROUNDS) {
          throw new GssTsigException(
              GssProblem.CONTEXT_REJECTED,
              "no GSS-API context with nameserver " + where + " after " + MAX_ROUNDS + " rounds");
        }
      }
    } catch (GssTsigException e) {
      dispose(context);
      throw e;
    } catch (Exception e) {
      dispose(context);
      throw KerberosErrors.context(e, servicePrincipal, where);
    }
  }

  private static byte[] context0(GSSContext c) throws GSSException {
    return c.initSecContext(new byte[0], 0, 0);
  }

  /** The TKEY key name, {@code <random>.sig-<serverName>.}, as nsupdate names it. */
  public Name keyName() {
    return keyName;
  }

  /** The client principal. */
  public String principal() {
    return principal;
  }

  /** When the nameserver forgets the context (the TKEY answer's expiration). */
  public Instant expiresAt() {
    return expiresAt;
  }

  /** True when the context can no longer be used (expired, or within the margin of it). */
  public synchronized boolean isUsable(Duration margin) {
    return !closed && clock.instant().plus(margin).isBefore(expiresAt);
  }

  /**
   * Signs an UPDATE, sends it and checks the answer: signed by the context, and NOERROR.
   *
   * @throws GssTsigException UPDATE_REFUSED for REFUSED (update-policy), UPDATE_FAILED for other
   *     rcodes, SIGNATURE_REJECTED, RESPONSE_NOT_VERIFIED, NAMESERVER_UNREACHABLE
   */
  public Message update(Message update) throws GssTsigException {
    Message answer = send(update);
    int rcode = answer.getRcode();
    if (rcode == Rcode.NOERROR) {
      return answer;
    }
    String zone =
        update.getSection(Section.ZONE).isEmpty()
            ? "?"
            : update.getSection(Section.ZONE).get(0).getName().toString();
    if (rcode == Rcode.REFUSED) {
      throw new GssTsigException(
          GssProblem.UPDATE_REFUSED,
          "nameserver "
              + where()
              + " refused the update of zone '"
              + zone
              + "' (REFUSED): principal '"
              + principal
              + "' is not granted these records; check the zone's update-policy");
    }
    throw new GssTsigException(
        GssProblem.UPDATE_FAILED,
        "nameserver "
            + where()
            + " answered "
            + Rcode.string(rcode)
            + " to the update of zone '"
            + zone
            + "' signed by principal '"
            + principal
            + "'");
  }

  /** A request signed for one message id, and its MAC (which the answer's MAC covers). */
  public record Signed(int id, byte[] wire, byte[] mac) {}

  /**
   * Signs a copy of {@code request} carrying message id {@code id}.
   *
   * @throws GssTsigException SIGNATURE_REJECTED when the context expired (negotiate a new one),
   *     KERBEROS_FAILURE when GSS-API cannot sign
   * @throws IllegalStateException when the session is closed
   */
  public Signed sign(Message request, int id) throws GssTsigException {
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    Message copy = request.clone();
    copy.getHeader().setID(id);
    byte[] body = copy.toWire();
    byte[] mic;
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("GSS-TSIG session " + keyName + " is closed");
      }
      if (!clock.instant().isBefore(expiresAt)) {
        throw new GssTsigException(
            GssProblem.SIGNATURE_REJECTED,
            "GSS-TSIG context " + keyName + " expired at " + expiresAt + "; negotiate a new one");
      }
      try {
        byte[] digest = TsigWire.requestDigest(body, keyName, algorithm, now);
        mic = context.getMIC(digest, 0, digest.length, new MessageProp(0, false));
      } catch (GSSException e) {
        throw new GssTsigException(
            GssProblem.KERBEROS_FAILURE,
            "cannot sign with GSS-TSIG context " + keyName + ": " + e.getMessage(),
            e);
      }
    }
    TSIGRecord tsig =
        new TSIGRecord(
            keyName, DClass.ANY, 0, algorithm, now, TsigWire.FUDGE, mic, id, Rcode.NOERROR, null);
    return new Signed(id, TsigWire.appendTsig(body, tsig), mic);
  }

  /**
   * Parses the answer to a {@link #sign signed} request and returns it once it carries this
   * context's signature over it (whatever its rcode).
   *
   * @throws GssTsigException SIGNATURE_REJECTED (BADKEY, BADSIG: negotiate a new context),
   *     CLOCK_SKEW, RESPONSE_NOT_VERIFIED (unsigned, another id, or a MIC that does not verify)
   */
  public Message verify(Signed sent, byte[] answerWire) throws GssTsigException {
    Message answer = parse(answerWire, where());
    if (answer.getHeader().getID() != sent.id()) {
      throw new GssTsigException(
          GssProblem.RESPONSE_NOT_VERIFIED,
          "nameserver " + where() + " answered with another message ID");
    }
    verify(sent.mac(), answerWire, answer, "request");
    return answer;
  }

  /**
   * Signs any request with the context, sends it over the session's channel and returns the answer
   * once its signature verified (whatever its rcode).
   */
  public synchronized Message send(Message request) throws GssTsigException {
    if (closed) {
      throw new IllegalStateException("GSS-TSIG session " + keyName + " is closed");
    }
    Signed[] sent = {null};
    byte[] answerWire;
    try {
      answerWire =
          channel.exchange(
              id -> {
                try {
                  sent[0] = sign(request, id);
                  return sent[0].wire();
                } catch (GssTsigException e) {
                  throw new SigningFailed(e);
                }
              });
    } catch (SigningFailed e) {
      throw e.failure();
    }
    return verify(sent[0], answerWire);
  }

  /** Carries a signing failure out of a channel's message callback. */
  public static final class SigningFailed extends RuntimeException {
    private final GssTsigException failure;

    public SigningFailed(GssTsigException failure) {
      super(failure.getMessage(), failure, false, false);
      this.failure = failure;
    }

    public GssTsigException failure() {
      return failure;
    }
  }

  private void verify(byte[] requestMac, byte[] wire, Message answer, String what)
      throws GssTsigException {
    TSIGRecord tsig = answer.getTSIG();
    if (tsig == null) {
      throw new GssTsigException(
          GssProblem.RESPONSE_NOT_VERIFIED,
          "nameserver "
              + where()
              + " answered the "
              + what
              + " unsigned ("
              + Rcode.string(answer.getRcode())
              + "): the answer cannot be trusted");
    }
    if (tsig.getError() != Rcode.NOERROR) {
      String err = Rcode.TSIGstring(tsig.getError());
      GssProblem p =
          tsig.getError() == Rcode.BADTIME ? GssProblem.CLOCK_SKEW : GssProblem.SIGNATURE_REJECTED;
      throw new GssTsigException(
          p,
          "nameserver "
              + where()
              + " rejected the signature of context "
              + keyName
              + " ("
              + Rcode.string(answer.getRcode())
              + ", TSIG error "
              + err
              + ")"
              + (p == GssProblem.CLOCK_SKEW
                  ? ": the clocks differ by more than " + TsigWire.FUDGE.toSeconds() + " s"
                  : ": the context expired or the server restarted; negotiate a new one"));
    }
    if (!tsig.getName().equals(keyName) || !tsig.getAlgorithm().equals(algorithm)) {
      throw new GssTsigException(
          GssProblem.RESPONSE_NOT_VERIFIED,
          "nameserver " + where() + " signed its answer with another key or algorithm");
    }
    try {
      byte[] digest = TsigWire.answerDigest(requestMac, wire, tsig);
      byte[] mac = tsig.getSignature();
      synchronized (this) {
        // GSS-API contexts are not meant for concurrent use; the answers' MICs are checked in turn.
        context.verifyMIC(mac, 0, mac.length, digest, 0, digest.length, new MessageProp(0, false));
      }
    } catch (GSSException | WireParseException e) {
      throw new GssTsigException(
          GssProblem.RESPONSE_NOT_VERIFIED,
          "the signature of nameserver " + where() + "'s answer did not verify: " + e.getMessage(),
          e);
    }
    Duration skew = Duration.between(tsig.getTimeSigned(), clock.instant()).abs();
    if (skew.compareTo(tsig.getFudge().plusSeconds(1)) > 0) {
      throw new GssTsigException(
          GssProblem.CLOCK_SKEW,
          "nameserver "
              + where()
              + " signed its answer at "
              + tsig.getTimeSigned()
              + ", "
              + skew.toSeconds()
              + " s away from this machine's clock; synchronise the clocks");
    }
  }

  /**
   * Asks the nameserver to forget the context (TKEY mode 5, RFC 2930 §4.2, signed with the
   * context), then disposes of it here. Later requests signed with it are answered BADKEY.
   *
   * @throws GssTsigException when the server did not confirm the deletion (the context is disposed
   *     of here anyway)
   */
  public synchronized void delete() throws GssTsigException {
    try {
      deleteOnServer();
    } finally {
      close();
    }
  }

  /** The TKEY delete of {@link #delete()}, keeping the context here (tests use it alone). */
  synchronized void deleteOnServer() throws GssTsigException {
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    Message q = tkeyQuery(keyName, algorithm, TKEYRecord.DELETE, new byte[0], now, now);
    Message answer = send(q);
    boolean confirmed =
        answer.getRcode() == Rcode.NOERROR
            && answer.getSection(Section.ANSWER).stream()
                .anyMatch(
                    r ->
                        r instanceof TKEYRecord t
                            && t.getName().equals(keyName)
                            && t.getMode() == TKEYRecord.DELETE
                            && t.getError() == Rcode.NOERROR);
    if (!confirmed) {
      throw new GssTsigException(
          GssProblem.UPDATE_FAILED,
          "nameserver "
              + where()
              + " did not confirm deleting GSS-TSIG context "
              + keyName
              + " ("
              + Rcode.string(answer.getRcode())
              + "); it forgets it when it expires at "
              + expiresAt);
    }
  }

  /** Forgets the context here (the server keeps it until it expires: see {@link #delete()}). */
  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      dispose(context);
    }
  }

  private String where() {
    return channel.where();
  }

  @Override
  public String toString() {
    return "GssTsigSession[" + keyName + " for " + principal + " at " + where() + "]";
  }

  // ---------------------------------------------------------------- helpers

  private static Name newKeyName(String serverName) {
    byte[] r = new byte[8];
    RANDOM.nextBytes(r);
    String host = serverName.endsWith(".") ? serverName : serverName + ".";
    try {
      return Name.fromString(HexFormat.of().formatHex(r) + ".sig-" + host);
    } catch (TextParseException e) {
      throw new IllegalArgumentException("nameserver name '" + serverName + "' is not a DNS name");
    }
  }

  /** A TKEY query: negotiation (mode GSSAPI, carrying a token) or deletion (mode DELETE). */
  private static Message tkeyQuery(
      Name keyName, Name algorithm, int mode, byte[] token, Instant inception, Instant expiration) {
    Message q = new Message();
    q.addRecord(Record.newRecord(keyName, Type.TKEY, DClass.ANY), Section.QUESTION);
    q.addRecord(
        new TKEYRecord(
            keyName,
            DClass.ANY,
            0,
            algorithm,
            inception,
            expiration,
            mode,
            Rcode.NOERROR,
            token,
            null),
        Section.ADDITIONAL);
    return q;
  }

  private static TKEYRecord tkeyAnswer(
      Message answer, Name keyName, String where, String servicePrincipal) throws GssTsigException {
    String fix =
        "; check that the nameserver has a keytab for "
            + servicePrincipal
            + " (BIND: tkey-gssapi-keytab) and that it is current";
    if (answer.getRcode() != Rcode.NOERROR) {
      throw new GssTsigException(
          GssProblem.CONTEXT_REJECTED,
          "nameserver "
              + where
              + " answered "
              + Rcode.string(answer.getRcode())
              + " to TKEY"
              + fix);
    }
    for (Record r : answer.getSection(Section.ANSWER)) {
      if (r instanceof TKEYRecord t && t.getName().equals(keyName)) {
        if (t.getError() != Rcode.NOERROR) {
          throw new GssTsigException(
              GssProblem.CONTEXT_REJECTED,
              "nameserver "
                  + where
                  + " did not accept the Kerberos ticket (TKEY error "
                  + Rcode.TSIGstring(t.getError())
                  + ")"
                  + fix);
        }
        if (t.getMode() != TKEYRecord.GSSAPI) {
          throw new GssTsigException(
              GssProblem.CONTEXT_REJECTED,
              "nameserver " + where + " answered TKEY in mode " + t.getMode() + ", not GSS-API");
        }
        return t;
      }
    }
    throw new GssTsigException(
        GssProblem.CONTEXT_REJECTED,
        "nameserver " + where + " answered TKEY without a TKEY record" + fix);
  }

  private static Message parse(byte[] wire, String where) throws GssTsigException {
    try {
      return new Message(wire);
    } catch (IOException e) {
      throw new GssTsigException(
          GssProblem.RESPONSE_NOT_VERIFIED,
          "nameserver " + where + " sent a malformed answer: " + e.getMessage(),
          e);
    }
  }

  private static void dispose(GSSContext c) {
    try {
      c.dispose();
    } catch (GSSException ignored) {
      // nothing left to release
    }
  }

  private static Oid oid(String dotted) {
    try {
      return new Oid(dotted);
    } catch (GSSException e) {
      throw new ExceptionInInitializerError(e);
    }
  }
}
