package io.dnsupdate.dns;

import io.dnsupdate.dns.gss.GssProblem;
import io.dnsupdate.dns.gss.GssTsigException;
import io.dnsupdate.dns.gss.GssTsigSession;
import java.io.IOException;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.IntFunction;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TSIGRecord;

/**
 * Sends one DNS message to one server and returns the answer only when it can be trusted: TSIG
 * errors become {@link TsigRejectedException}, unsigned or badly signed answers to signed requests
 * fail with {@link FailureReason#ResponseNotVerified}. dnsjava's {@code SimpleResolver} only logs a
 * failed verification and has no DNS over TLS, so the socket work is done here on dnsjava's wire
 * format.
 */
final class DnsExchange {
  private static final Logger log = LoggerFactory.getLogger(DnsExchange.class);

  /** Above this a UDP request risks fragmentation (DNS flag day 2020); such requests go by TCP. */
  static final int MAX_UDP_REQUEST = 1232;

  private static final int UDP_RECEIVE_BUFFER = 65535;

  private final ServerEndpoint endpoint;
  private final Clock clock;
  private final ConnectionPool pool;

  DnsExchange(ServerEndpoint endpoint, Clock clock) {
    this(endpoint, clock, ConnectionPool.shared());
  }

  DnsExchange(ServerEndpoint endpoint, Clock clock, ConnectionPool pool) {
    this.endpoint = endpoint;
    this.clock = clock;
    this.pool = pool;
  }

  /** A verified answer, and whether it had to be fetched again over TCP after truncation. */
  record Answer(Message message, boolean retriedOverTcp) {}

  /**
   * The request as last sent: a pooled connection picks the message id, and the id is covered by
   * the TSIG MAC, so every send signs a fresh copy with its id.
   */
  private static final class Signed {
    private final Message template;
    private final TSIG signer;
    int id;
    TSIGRecord sent;

    Signed(Message query, TSIG signer) {
      this.template = signer == null ? query : query.clone();
      this.signer = signer;
    }

    byte[] wire(int newId) {
      Message m = signer == null ? template : template.clone();
      m.getHeader().setID(newId);
      if (signer != null) {
        // Signed explicitly (not via setTSIG) so the request's TSIG is at hand for verification.
        signer.apply(m, null);
        sent = m.getTSIG();
      }
      id = newId;
      return m.toWire(65535);
    }
  }

  /**
   * Sends {@code query}, signed with {@code signer} when not null.
   *
   * @param subject what the message is about, for error messages (e.g. "zone example.test.")
   */
  Answer send(Message query, RequestSigner signer, String subject) throws DnsUpdateException {
    return start(query, signer, subject).answer();
  }

  /**
   * Sends {@code query} signed with the context's GSS-TSIG session, over a pooled stream (TKEY
   * tokens and MICs make UDP pointless). A context the server rejects (BADKEY or BADSIG: it expired
   * there, or the server restarted and forgot it) is renegotiated once and the request sent once
   * more: safe, as queries change nothing and our UPDATEs are idempotent single-value adds and
   * deletes (RFC 2136 §3.4.2).
   */
  private Answer sendGss(Message query, GssTsigContext context, String subject)
      throws DnsUpdateException {
    context.enter(endpoint.timeout(), subject);
    try {
      GssTsigSession session = context.session();
      try {
        return sendGss(query, session, subject);
      } catch (GssTsigException e) {
        if (e.problem() != GssProblem.SIGNATURE_REJECTED) {
          throw e;
        }
        log.debug("{} rejected GSS-TSIG context {}; renegotiating", endpoint, session.keyName());
        GssTsigSession fresh = context.renegotiate(session);
        try {
          return sendGss(query, fresh, subject);
        } catch (GssTsigException again) {
          if (again.problem() != GssProblem.SIGNATURE_REJECTED) {
            throw again;
          }
          throw new GssTsigException(
              GssProblem.SIGNATURE_REJECTED,
              "nameserver "
                  + endpoint
                  + " rejected the signature of "
                  + subject
                  + " twice, the second time with context "
                  + fresh.keyName()
                  + " negotiated just before: "
                  + again.getMessage(),
              again);
        }
      }
    } finally {
      context.leave();
    }
  }

  private Answer sendGss(Message query, GssTsigSession session, String subject)
      throws DnsUpdateException {
    long deadlineNanos = System.nanoTime() + endpoint.timeout().toNanos();
    GssTsigSession.Signed[] sent = {null};
    byte[] answerWire;
    try {
      answerWire =
          stream(
              id -> {
                try {
                  sent[0] = session.sign(query, id);
                  return sent[0].wire();
                } catch (GssTsigException e) {
                  throw new GssTsigSession.SigningFailed(e);
                }
              },
              deadlineNanos,
              subject);
    } catch (GssTsigSession.SigningFailed e) {
      throw e.failure();
    }
    Message answer = session.verify(sent[0], answerWire);
    log.debug("{} answered {} for {}", endpoint, Rcode.string(answer.getRcode()), subject);
    return new Answer(answer, false);
  }

  /**
   * One message over a pooled connection, I/O failures reported as for any request.
   *
   * @param wireFor the message for the id the connection picks
   */
  byte[] stream(IntFunction<byte[]> wireFor, long deadlineNanos, String subject)
      throws DnsUpdateException {
    try {
      return pool.exchange(endpoint, deadlineNanos, wireFor);
    } catch (IOException e) {
      throw ioFailure(e, subject);
    }
  }

  /** Sends {@code query}, HMAC-signed with {@code signer} when not null. */
  Answer send(Message query, TSIG signer, String keyName, String subject)
      throws DnsUpdateException {
    return start(query, signer, keyName, subject, null).answer();
  }

  /** A request on its way: its verified answer is waited for later. */
  interface Sent {
    /** Waits for the answer and checks it as {@link #send} does. */
    Answer answer() throws DnsUpdateException;

    /** Gives up on the answer (a failure elsewhere made it moot). */
    void abandon();
  }

  /**
   * Sends {@code query} and returns without waiting for the answer, so that one thread can have
   * several requests in flight. A GSS-TSIG request is sent and answered before this returns: its
   * context takes one request at a time, and renegotiates around a rejected one.
   */
  Sent start(Message query, RequestSigner signer, String subject) {
    return startBehind(null, query, signer, subject);
  }

  /**
   * Like {@link #start}, but where both travel on a stream, on {@code earlier}'s connection right
   * behind it, so the server answers {@code earlier} first ({@link ConnectionPool#sendBehind}).
   * Datagrams keep no order; a GSS-TSIG request is answered before the next one is sent anyway.
   */
  Sent startBehind(Sent earlier, Message query, RequestSigner signer, String subject) {
    ConnectionPool.InFlight behind = earlier instanceof OnStream s ? s.inFlight : null;
    if (signer instanceof GssTsigContext gss) {
      try {
        return answered(sendGss(query, gss, subject));
      } catch (DnsUpdateException e) {
        return failed(e);
      }
    }
    RequestSigner.Hmac hmac = (RequestSigner.Hmac) signer;
    return hmac == null
        ? start(query, null, "", subject, behind)
        : start(query, hmac.credentials().signer(clock), hmac.keyName(), subject, behind);
  }

  private Sent start(
      Message query, TSIG signer, String keyName, String subject, ConnectionPool.InFlight behind) {
    Signed request = new Signed(query, signer);
    if (endpoint.transport() == Transport.UDP) {
      byte[] wire = request.wire(query.getHeader().getID());
      if (wire.length <= MAX_UDP_REQUEST) {
        return startUdp(wire, request, signer, keyName, subject);
      }
    }
    return startStream(request, signer, keyName, subject, behind);
  }

  /**
   * A datagram sent on a socket of its own; the answer is received, and fetched again over TCP when
   * truncated, once the caller asks for it.
   */
  private Sent startUdp(byte[] wire, Signed request, TSIG signer, String keyName, String subject) {
    Instant deadline = clock.instant().plus(endpoint.timeout());
    long deadlineNanos = System.nanoTime() + endpoint.timeout().toNanos();
    DatagramSocket socket = null;
    try {
      socket = new DatagramSocket();
      socket.connect(address());
      socket.send(new DatagramPacket(wire, wire.length));
    } catch (IOException e) {
      if (socket != null) {
        socket.close();
      }
      return failed(ioFailure(e, subject));
    }
    DatagramSocket sent = socket;
    return new Sent() {
      @Override
      public Answer answer() throws DnsUpdateException {
        byte[] answerWire;
        boolean retried = false;
        try (sent) {
          answerWire = receiveUdp(sent, request.id, deadline);
          if (isTruncated(answerWire)) {
            log.debug("truncated UDP answer from {} for {}; retrying over TCP", endpoint, subject);
            retried = true;
            answerWire = pool.exchange(endpoint, deadlineNanos, request::wire);
          }
        } catch (IOException e) {
          throw ioFailure(e, subject);
        }
        return verified(answerWire, request, signer, keyName, subject, retried);
      }

      @Override
      public void abandon() {
        sent.close();
      }
    };
  }

  /**
   * Every stream message goes through the pool: one persistent, pipelined connection per server.
   */
  private Sent startStream(
      Signed request, TSIG signer, String keyName, String subject, ConnectionPool.InFlight behind) {
    long deadlineNanos = System.nanoTime() + endpoint.timeout().toNanos();
    try {
      ConnectionPool.InFlight inFlight =
          behind == null
              ? pool.send(endpoint, deadlineNanos, request::wire)
              : pool.sendBehind(behind, deadlineNanos, request::wire);
      return new OnStream(inFlight, request, signer, keyName, subject);
    } catch (IOException e) {
      return failed(ioFailure(e, subject));
    }
  }

  /** A request written on a pooled connection. */
  private final class OnStream implements Sent {
    private final ConnectionPool.InFlight inFlight;
    private final Signed request;
    private final TSIG signer;
    private final String keyName;
    private final String subject;

    private OnStream(
        ConnectionPool.InFlight inFlight,
        Signed request,
        TSIG signer,
        String keyName,
        String subject) {
      this.inFlight = inFlight;
      this.request = request;
      this.signer = signer;
      this.keyName = keyName;
      this.subject = subject;
    }

    @Override
    public Answer answer() throws DnsUpdateException {
      byte[] answerWire;
      try {
        answerWire = inFlight.answer();
      } catch (IOException e) {
        throw ioFailure(e, subject);
      }
      return verified(answerWire, request, signer, keyName, subject, false);
    }

    @Override
    public void abandon() {
      inFlight.abandon();
    }
  }

  private record Settled(Answer value, DnsUpdateException failure) implements Sent {
    @Override
    public Answer answer() throws DnsUpdateException {
      if (failure != null) {
        throw failure;
      }
      return value;
    }

    @Override
    public void abandon() {}
  }

  private static Sent answered(Answer answer) {
    return new Settled(answer, null);
  }

  private static Sent failed(DnsUpdateException failure) {
    return new Settled(null, failure);
  }

  private DnsUpdateException ioFailure(IOException failure, String subject) {
    try {
      throw failure;
    } catch (SocketTimeoutException e) {
      return unreachable(
          "no answer from nameserver "
              + endpoint
              + " within "
              + seconds(endpoint.timeout())
              + " for "
              + subject,
          e);
    } catch (ConnectException | PortUnreachableException e) {
      return unreachable(
          "cannot reach nameserver " + endpoint + " for " + subject + ": connection refused", e);
    } catch (UnknownHostException e) {
      return unreachable(
          "cannot resolve nameserver host '" + endpoint.nameserver().host() + "' for " + subject,
          e);
    } catch (SSLException e) {
      return unreachable(
          "TLS with nameserver "
              + endpoint
              + " failed for "
              + subject
              + ": "
              + e.getMessage()
              + " (check the CA bundle and the TLS server name '"
              + endpoint.tlsServerName()
              + "')",
          e);
    } catch (IOException e) {
      return unreachable(
          "I/O error talking to nameserver " + endpoint + " for " + subject + ": " + e, e);
    }
  }

  private Answer verified(
      byte[] answerWire,
      Signed request,
      TSIG signer,
      String keyName,
      String subject,
      boolean retried)
      throws DnsUpdateException {
    Message answer;
    try {
      answer = new Message(answerWire);
    } catch (IOException e) {
      throw new DnsUpdateException(
          FailureReason.ServerFailure,
          "nameserver " + endpoint + " sent a malformed answer for " + subject + ": " + e);
    }
    if (answer.getHeader().getID() != request.id) {
      throw new DnsUpdateException(
          FailureReason.ServerFailure,
          "nameserver " + endpoint + " answered another request id for " + subject);
    }
    if (signer != null) {
      verify(answer, answerWire, signer, request.sent, keyName, subject);
    }
    log.debug("{} answered {} for {}", endpoint, Rcode.string(answer.getRcode()), subject);
    return new Answer(answer, retried);
  }

  private void verify(
      Message answer,
      byte[] answerWire,
      TSIG signer,
      TSIGRecord sent,
      String keyName,
      String subject)
      throws DnsUpdateException {
    TSIGRecord tsig = answer.getTSIG();
    if (tsig == null && unsignedRejection(answer.getRcode())) {
      // PowerDNS 4.7 answers a request whose key it does not know, or whose signature does not
      // verify, without a TSIG record: NOTAUTH to a query, REFUSED to an UPDATE. Unsigned, the
      // answer proves nothing, but it can only make us fail, never succeed.
      throw new TsigRejectedException(
          "nameserver "
              + endpoint
              + " answered "
              + Rcode.string(answer.getRcode())
              + " for "
              + subject
              + " without a TSIG signature: it did not accept key '"
              + keyName
              + "' (PowerDNS answers so when it does not know the key or the secret differs: run"
              + " the pdnsutil import-tsig-key line the operator rendered), or it takes no"
              + " updates at all (PowerDNS: dnsupdate=yes)",
          Rcode.BADSIG,
          null);
    }
    if (tsig == null) {
      throw new DnsUpdateException(
          FailureReason.ResponseNotVerified,
          "nameserver "
              + endpoint
              + " answered "
              + Rcode.string(answer.getRcode())
              + " for "
              + subject
              + " without a TSIG signature; an unsigned answer to a signed request proves"
              + " nothing (is something between us and the server rewriting DNS?)");
    }
    int error = tsig.getError();
    if (error != Rcode.NOERROR) {
      throw tsigRejected(error, tsig, keyName, subject);
    }
    int result = signer.verify(answer, answerWire, sent);
    if (result != Rcode.NOERROR || !answer.isVerified()) {
      throw new DnsUpdateException(
          FailureReason.ResponseNotVerified,
          "the TSIG signature on the answer of nameserver "
              + endpoint
              + " for "
              + subject
              + " did not verify ("
              + Rcode.TSIGstring(result)
              + ") with key '"
              + keyName
              + "'; the answer cannot be trusted");
    }
  }

  private static boolean unsignedRejection(int rcode) {
    return rcode == Rcode.NOTAUTH || rcode == Rcode.REFUSED;
  }

  private TsigRejectedException tsigRejected(
      int error, TSIGRecord tsig, String keyName, String subject) {
    String prefix =
        "nameserver " + endpoint + " rejected TSIG key '" + keyName + "' for " + subject + ": ";
    return switch (error) {
      case Rcode.BADKEY ->
          new TsigRejectedException(
              prefix
                  + "NOTAUTH/BADKEY, the nameserver does not know key '"
                  + keyName
                  + "' with this algorithm; add the key clause the operator rendered to its"
                  + " configuration (Knot DNS answers so too when its acl does not allow this"
                  + " update: only TXT at the names the acl lists)",
              error,
              null);
      case Rcode.BADSIG ->
          new TsigRejectedException(
              prefix
                  + "NOTAUTH/BADSIG, the signature does not match: the secret differs from the one"
                  + " the nameserver has for '"
                  + keyName
                  + "'",
              error,
              null);
      case Rcode.BADTIME -> {
        Instant serverTime = serverTime(tsig);
        yield new TsigRejectedException(
            prefix
                + "NOTAUTH/BADTIME, clocks differ by more than the "
                + tsig.getFudge().getSeconds()
                + " s fudge: request signed at "
                + tsig.getTimeSigned()
                + ", server time "
                + (serverTime == null ? "unknown" : serverTime.toString())
                + "; synchronise the clocks (NTP)",
            error,
            serverTime);
      }
      default ->
          new TsigRejectedException(prefix + "TSIG error " + Rcode.TSIGstring(error), error, null);
    };
  }

  /** RFC 8945 §5.2.3: a BADTIME answer carries the server's time as 48 bits in "other data". */
  private static Instant serverTime(TSIGRecord tsig) {
    byte[] other = tsig.getOther();
    if (other == null || other.length != 6) {
      return null;
    }
    long seconds = 0;
    for (byte b : other) {
      seconds = (seconds << 8) | (b & 0xFF);
    }
    return Instant.ofEpochSecond(seconds);
  }

  private static boolean isTruncated(byte[] wire) {
    return wire.length >= 4
        && (ByteBuffer.wrap(wire, 2, 2).getShort() & (1 << (15 - Flags.TC))) != 0;
  }

  private InetSocketAddress address() throws UnknownHostException {
    return new InetSocketAddress(
        InetAddress.getByName(endpoint.nameserver().host()), endpoint.port());
  }

  private int remainingMillis(Instant deadline) throws SocketTimeoutException {
    long ms = Duration.between(clock.instant(), deadline).toMillis();
    if (ms <= 0) {
      throw new SocketTimeoutException("deadline passed");
    }
    return (int) Math.min(ms, Integer.MAX_VALUE);
  }

  private byte[] receiveUdp(DatagramSocket socket, int id, Instant deadline) throws IOException {
    byte[] buffer = new byte[UDP_RECEIVE_BUFFER];
    while (true) {
      socket.setSoTimeout(remainingMillis(deadline));
      DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
      socket.receive(packet);
      // Stray datagrams with another id are not ours: keep waiting until the deadline.
      if (packet.getLength() >= 12 && ByteBuffer.wrap(buffer, 0, 2).getShort() == (short) id) {
        byte[] answer = new byte[packet.getLength()];
        System.arraycopy(buffer, 0, answer, 0, packet.getLength());
        return answer;
      }
    }
  }

  private static DnsUpdateException unreachable(String message, Throwable cause) {
    return new DnsUpdateException(FailureReason.NameserverUnreachable, message, cause);
  }

  private static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }
}
