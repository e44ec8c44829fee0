package io.dnsupdate.testkit;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TextParseException;

/** DNS over TCP and over TLS (RFC 7858) with plain sockets: one query, one answer. */
public final class DnsWire {

  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private DnsWire() {}

  /** A non-recursive query (RD clear: we ask authoritative servers only). */
  public static Message newQuery(String name, int type) {
    try {
      Message q = Message.newQuery(Record.newRecord(Name.fromString(name, Name.root), type, 1));
      q.getHeader().unsetFlag(Flags.RD);
      return q;
    } catch (TextParseException e) {
      throw new IllegalArgumentException("bad name " + name, e);
    }
  }

  /** Sends the query over TCP and returns the answer. */
  public static Message tcp(InetSocketAddress server, Message query) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(server, (int) TIMEOUT.toMillis());
      return exchange(s, query);
    }
  }

  /**
   * Sends the query over DNS-over-TLS, verifying the server certificate against {@code serverName}
   * (a DNS name or an IP address in its SANs) and sending it as SNI when it is a DNS name.
   */
  public static Message tls(
      InetSocketAddress server, SSLContext ctx, String serverName, Message query)
      throws IOException {
    try (Socket raw = new Socket()) {
      raw.connect(server, (int) TIMEOUT.toMillis());
      try (SSLSocket s =
          (SSLSocket)
              ctx.getSocketFactory().createSocket(raw, serverName, server.getPort(), true)) {
        SSLParameters p = s.getSSLParameters();
        // JSSE checks the peer's name only when asked to; HTTPS rules are RFC 6125's.
        p.setEndpointIdentificationAlgorithm("HTTPS");
        if (!Character.isDigit(serverName.charAt(0)) && !serverName.contains(":")) {
          p.setServerNames(java.util.List.of(new SNIHostName(serverName)));
        }
        s.setSSLParameters(p);
        s.startHandshake();
        return exchange(s, query);
      }
    }
  }

  /** A query and its answer on a connected stream socket, with the RFC 1035 length prefix. */
  public static Message exchange(Socket s, Message query) throws IOException {
    s.setSoTimeout((int) TIMEOUT.toMillis());
    byte[] wire = query.toWire();
    DataOutputStream out = new DataOutputStream(s.getOutputStream());
    out.writeShort(wire.length);
    out.write(wire);
    out.flush();
    DataInputStream in = new DataInputStream(s.getInputStream());
    byte[] answer = new byte[in.readUnsignedShort()];
    in.readFully(answer);
    Message m = new Message(answer);
    if (m.getHeader().getID() != query.getHeader().getID()) {
      throw new IOException("answer id " + m.getHeader().getID() + " for query " + query);
    }
    return m;
  }
}
