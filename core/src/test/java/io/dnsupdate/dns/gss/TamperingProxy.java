package io.dnsupdate.dns.gss;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.function.UnaryOperator;

/** A DNS-over-TCP relay on 127.0.0.1 that can change the answers it passes back. */
final class TamperingProxy implements AutoCloseable {

  private final ServerSocket listener;
  private final InetSocketAddress upstream;
  private volatile UnaryOperator<byte[]> answers = UnaryOperator.identity();

  TamperingProxy(InetSocketAddress upstream) throws IOException {
    this.upstream = upstream;
    this.listener = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::serve, "tampering-proxy");
    t.setDaemon(true);
    t.start();
  }

  InetSocketAddress address() {
    return new InetSocketAddress(listener.getInetAddress(), listener.getLocalPort());
  }

  /** From now on, every answer passes through this function. */
  void tamper(UnaryOperator<byte[]> f) {
    answers = f;
  }

  /** Flips the RA bit of the header: a change the signature covers. */
  static byte[] flipHeaderBit(byte[] answer) {
    byte[] b = answer.clone();
    b[3] ^= (byte) 0x80;
    return b;
  }

  /** Removes the last record (the TSIG) and counts one record less. */
  static byte[] stripTsig(byte[] answer) {
    try {
      int at = TsigWire.lastRecordOffset(answer);
      byte[] b = java.util.Arrays.copyOf(answer, at);
      int arcount = ((b[10] & 0xff) << 8 | (b[11] & 0xff)) - 1;
      b[10] = (byte) (arcount >>> 8);
      b[11] = (byte) arcount;
      return b;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private void serve() {
    while (!listener.isClosed()) {
      try (Socket s = listener.accept()) {
        DataInputStream in = new DataInputStream(s.getInputStream());
        byte[] query = new byte[in.readUnsignedShort()];
        in.readFully(query);
        byte[] answer = answers.apply(TcpChannel.exchange(upstream, query, Duration.ofSeconds(10)));
        OutputStream out = s.getOutputStream();
        out.write(new byte[] {(byte) (answer.length >>> 8), (byte) answer.length});
        out.write(answer);
        out.flush();
      } catch (IOException e) {
        // closed, or a client that went away: serve the next one
      }
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
  }
}
