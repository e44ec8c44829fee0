package io.dnsupdate.dns;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
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

  DnsExchange(ServerEndpoint endpoint, Clock clock) {
    this.endpoint = endpoint;
    this.clock = clock;
  }

  /** A verified answer, and whether it had to be fetched again over TCP after truncation. */
  record Answer(Message message, boolean retriedOverTcp) {}

  /**
   * Sends {@code query}, signed with {@code signer} when not null.
   *
   * @param subject what the message is about, for error messages (e.g. "zone example.test.")
   */
  Answer send(Message query, TSIG signer, String keyName, String subject)
      throws DnsUpdateException {
    TSIGRecord sent = null;
    if (signer != null) {
      // Signed explicitly (not via setTSIG) so the request's TSIG is at hand for verification.
      signer.apply(query, null);
      sent = query.getTSIG();
    }
    byte[] wire = query.toWire(65535);
    Instant deadline = clock.instant().plus(endpoint.timeout());
    int id = query.getHeader().getID();

    boolean retried = false;
    byte[] answerWire;
    try {
      if (endpoint.transport() == Transport.UDP && wire.length <= MAX_UDP_REQUEST) {
        answerWire = exchangeUdp(wire, id, deadline);
        if (answerWire != null && isTruncated(answerWire)) {
          log.debug("truncated UDP answer from {} for {}; retrying over TCP", endpoint, subject);
          retried = true;
          answerWire = exchangeStream(wire, deadline, false);
        }
      } else {
        answerWire = exchangeStream(wire, deadline, endpoint.transport() == Transport.TLS);
      }
    } catch (SocketTimeoutException e) {
      throw unreachable(
          "no answer from nameserver "
              + endpoint
              + " within "
              + seconds(endpoint.timeout())
              + " for "
              + subject,
          e);
    } catch (ConnectException | PortUnreachableException e) {
      throw unreachable(
          "cannot reach nameserver " + endpoint + " for " + subject + ": connection refused", e);
    } catch (UnknownHostException e) {
      throw unreachable(
          "cannot resolve nameserver host '" + endpoint.nameserver().host() + "' for " + subject,
          e);
    } catch (SSLException e) {
      throw unreachable(
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
      throw unreachable(
          "I/O error talking to nameserver " + endpoint + " for " + subject + ": " + e, e);
    }

    Message answer;
    try {
      answer = new Message(answerWire);
    } catch (IOException e) {
      throw new DnsUpdateException(
          FailureReason.ServerFailure,
          "nameserver " + endpoint + " sent a malformed answer for " + subject + ": " + e);
    }
    if (answer.getHeader().getID() != id) {
      throw new DnsUpdateException(
          FailureReason.ServerFailure,
          "nameserver " + endpoint + " answered another request id for " + subject);
    }
    if (signer != null) {
      verify(answer, answerWire, signer, sent, keyName, subject);
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

  private byte[] exchangeUdp(byte[] wire, int id, Instant deadline) throws IOException {
    try (DatagramSocket socket = new DatagramSocket()) {
      socket.connect(address());
      socket.send(new DatagramPacket(wire, wire.length));
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
  }

  private byte[] exchangeStream(byte[] wire, Instant deadline, boolean tls) throws IOException {
    try (Socket plain = new Socket()) {
      plain.connect(address(), remainingMillis(deadline));
      plain.setSoTimeout(remainingMillis(deadline));
      plain.setTcpNoDelay(true);
      Socket socket = tls ? startTls(plain) : plain;
      try {
        OutputStream out = socket.getOutputStream();
        // RFC 7766 §8: length and message in one write, so they travel in one segment.
        ByteBuffer framed = ByteBuffer.allocate(2 + wire.length);
        framed.putShort((short) wire.length).put(wire);
        out.write(framed.array());
        out.flush();
        DataInputStream in = new DataInputStream(socket.getInputStream());
        socket.setSoTimeout(remainingMillis(deadline));
        int length = in.readUnsignedShort();
        byte[] answer = new byte[length];
        in.readFully(answer);
        return answer;
      } finally {
        if (socket != plain) {
          socket.close();
        }
      }
    }
  }

  private Socket startTls(Socket plain) throws IOException {
    String serverName = endpoint.tlsServerName();
    SSLSocket tls =
        (SSLSocket)
            endpoint
                .sslContext()
                .getSocketFactory()
                .createSocket(plain, serverName, endpoint.port(), true);
    SSLParameters params = tls.getSSLParameters();
    // "HTTPS" identification checks the certificate's names against serverName (RFC 6125).
    params.setEndpointIdentificationAlgorithm("HTTPS");
    if (!serverName.contains(":") && !serverName.matches("^[0-9.]+$")) {
      params.setServerNames(List.of(new SNIHostName(serverName)));
    }
    params.setApplicationProtocols(new String[] {"dot"});
    tls.setSSLParameters(params);
    tls.startHandshake();
    return tls;
  }

  private static DnsUpdateException unreachable(String message, Throwable cause) {
    return new DnsUpdateException(FailureReason.NameserverUnreachable, message, cause);
  }

  private static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }
}
