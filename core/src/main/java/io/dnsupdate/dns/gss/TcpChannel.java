package io.dnsupdate.dns.gss;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/**
 * One DNS message over a fresh TCP connection per request (RFC 1035 §4.2.2 length prefix): the
 * channel of a {@link GssTsigSession} used on its own. {@code DnsUpdateClient} does not use it; it
 * sends GSS-TSIG through its pooled, pipelined connections.
 */
final class TcpChannel implements DnsChannel {

  private final InetSocketAddress server;
  private final Duration timeout;

  TcpChannel(InetSocketAddress server, Duration timeout) {
    this.server = server;
    this.timeout = timeout;
  }

  @Override
  public byte[] exchange(java.util.function.IntFunction<byte[]> wireFor) throws GssTsigException {
    int id = java.util.concurrent.ThreadLocalRandom.current().nextInt(0x10000);
    try {
      return exchange(server, wireFor.apply(id), timeout);
    } catch (IOException e) {
      throw new GssTsigException(
          GssProblem.NAMESERVER_UNREACHABLE,
          "nameserver " + where() + " did not answer over TCP within " + timeout + ": " + e,
          e);
    }
  }

  @Override
  public String where() {
    return server.getHostString() + ":" + server.getPort();
  }

  static byte[] exchange(InetSocketAddress server, byte[] query, Duration timeout)
      throws IOException {
    if (query.length > 0xffff) {
      throw new IOException("message of " + query.length + " bytes does not fit DNS over TCP");
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Socket s = new Socket()) {
      s.setTcpNoDelay(true);
      s.connect(server, (int) Math.max(1, timeout.toMillis()));
      s.setSoTimeout(remainingMillis(deadline));
      OutputStream out = s.getOutputStream();
      byte[] framed = new byte[query.length + 2];
      framed[0] = (byte) (query.length >>> 8);
      framed[1] = (byte) query.length;
      System.arraycopy(query, 0, framed, 2, query.length);
      out.write(framed);
      out.flush();
      DataInputStream in = new DataInputStream(s.getInputStream());
      int len = in.readUnsignedShort();
      s.setSoTimeout(remainingMillis(deadline));
      byte[] answer = new byte[len];
      in.readFully(answer);
      return answer;
    }
  }

  private static int remainingMillis(long deadline) throws IOException {
    long ms = (deadline - System.nanoTime()) / 1_000_000;
    if (ms <= 0) {
      throw new java.net.SocketTimeoutException("deadline passed");
    }
    return (int) Math.min(Integer.MAX_VALUE, ms);
  }
}
