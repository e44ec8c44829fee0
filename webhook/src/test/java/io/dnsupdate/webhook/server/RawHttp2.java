package io.dnsupdate.webhook.server;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * An HTTP/2 client frame by frame over TLS with ALPN "h2", for what a well-behaved client never
 * does: a preface and then nothing, more streams than the server allows, a stream reset or a
 * connection dropped while its request is in progress. Headers go out as HPACK literals without
 * indexing (no table state); answers are read as frames, not decoded.
 */
final class RawHttp2 implements AutoCloseable {
  static final int DATA = 0x0;
  static final int HEADERS = 0x1;
  static final int RST_STREAM = 0x3;
  static final int SETTINGS = 0x4;
  static final int PING = 0x6;
  static final int GOAWAY = 0x7;
  static final int CONTINUATION = 0x9;

  /** The largest frame payload a peer must accept (SETTINGS_MAX_FRAME_SIZE's initial value). */
  static final int MAX_FRAME = 16384;

  static final int END_STREAM = 0x1;
  static final int END_HEADERS = 0x4;
  static final int ACK = 0x1;

  static final int SETTINGS_MAX_CONCURRENT_STREAMS = 0x3;
  static final int SETTINGS_INITIAL_WINDOW_SIZE = 0x4;
  static final int SETTINGS_MAX_HEADER_LIST_SIZE = 0x6;

  static final int PROTOCOL_ERROR = 0x1;

  static final int REFUSED_STREAM = 0x7;
  static final int CANCEL = 0x8;
  static final int ENHANCE_YOUR_CALM = 0xb;

  private static final byte[] PREFACE =
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  /** One frame as read. */
  record Frame(int type, int flags, int stream, byte[] payload) {
    int errorCode() {
      int at = type == GOAWAY ? 4 : 0;
      return ByteBuffer.wrap(payload, at, 4).getInt();
    }

    /** SETTINGS parameters by identifier. */
    Map<Integer, Long> settings() {
      Map<Integer, Long> out = new HashMap<>();
      ByteBuffer b = ByteBuffer.wrap(payload);
      while (b.remaining() >= 6) {
        out.put(b.getShort() & 0xFFFF, b.getInt() & 0xFFFFFFFFL);
      }
      return out;
    }
  }

  private final SSLSocket socket;
  private final DataInputStream in;
  private final OutputStream out;

  private RawHttp2(SSLSocket socket) throws IOException {
    this.socket = socket;
    this.in = new DataInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  /** Connects, completes the TLS handshake offering only "h2", and checks the server chose it. */
  static RawHttp2 connect(InetSocketAddress server, SSLContext tls) throws IOException {
    SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket();
    s.connect(server, 5_000);
    SSLParameters p = s.getSSLParameters();
    p.setApplicationProtocols(new String[] {"h2"});
    s.setSSLParameters(p);
    s.startHandshake();
    if (!"h2".equals(s.getApplicationProtocol())) {
      s.close();
      throw new IOException(
          "the server did not choose h2 but '" + s.getApplicationProtocol() + "'");
    }
    return new RawHttp2(s);
  }

  /** The connection preface and an empty SETTINGS frame, as every HTTP/2 client starts. */
  void preface() throws IOException {
    out.write(PREFACE);
    frame(SETTINGS, 0, 0, new byte[0]);
  }

  /** A request's HEADERS frame; {@code endStream} for a request without a body. */
  void headers(int stream, List<String[]> fields, boolean endStream) throws IOException {
    ByteArrayOutputStream block = new ByteArrayOutputStream();
    for (String[] f : fields) {
      block.write(0x00); // literal without indexing, new name
      string(block, f[0]);
      string(block, f[1]);
    }
    byte[] b = block.toByteArray();
    int end = Math.min(b.length, MAX_FRAME);
    int flags = (endStream ? END_STREAM : 0) | (end == b.length ? END_HEADERS : 0);
    frame(HEADERS, flags, stream, java.util.Arrays.copyOfRange(b, 0, end));
    for (int at = end; at < b.length; at = end) {
      end = Math.min(b.length, at + MAX_FRAME);
      frame(
          CONTINUATION,
          end == b.length ? END_HEADERS : 0,
          stream,
          java.util.Arrays.copyOfRange(b, at, end));
    }
  }

  void data(int stream, byte[] payload, boolean endStream) throws IOException {
    frame(DATA, endStream ? END_STREAM : 0, stream, payload);
  }

  void reset(int stream, int errorCode) throws IOException {
    frame(RST_STREAM, 0, stream, ByteBuffer.allocate(4).putInt(errorCode).array());
  }

  /**
   * The next frame, answering the server's SETTINGS and PINGs on the way as a client must; null
   * when the server closed the connection.
   */
  Frame read(Duration timeout) throws IOException {
    socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
    while (true) {
      Frame f;
      try {
        int length = (in.readUnsignedShort() << 8) | in.readUnsignedByte();
        int type = in.readUnsignedByte();
        int flags = in.readUnsignedByte();
        int stream = in.readInt() & 0x7FFFFFFF;
        byte[] payload = new byte[length];
        in.readFully(payload);
        f = new Frame(type, flags, stream, payload);
      } catch (EOFException e) {
        return null;
      } catch (SocketTimeoutException e) {
        throw e;
      } catch (IOException e) {
        return null; // reset by the server: closed as well
      }
      try {
        if (f.type() == SETTINGS && (f.flags() & ACK) == 0) {
          frame(SETTINGS, ACK, 0, new byte[0]);
        } else if (f.type() == PING && (f.flags() & ACK) == 0) {
          frame(PING, ACK, 0, f.payload());
        }
      } catch (IOException e) {
        // the server has closed its side; what it sent before is still to be read
      }
      return f;
    }
  }

  /**
   * Reads frames until one of {@code type} on {@code stream} comes; null when the connection closed
   * first.
   */
  Frame await(int type, int stream, Duration timeout) throws IOException {
    long end = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = end - System.nanoTime();
      if (left <= 0) {
        throw new SocketTimeoutException("no frame of type " + type + " on stream " + stream);
      }
      Frame f = read(Duration.ofNanos(left));
      if (f == null || (f.type() == type && f.stream() == stream)) {
        return f;
      }
    }
  }

  private void frame(int type, int flags, int stream, byte[] payload) throws IOException {
    ByteBuffer head = ByteBuffer.allocate(9);
    head.put((byte) (payload.length >>> 16))
        .put((byte) (payload.length >>> 8))
        .put((byte) payload.length)
        .put((byte) type)
        .put((byte) flags)
        .putInt(stream);
    synchronized (out) {
      out.write(head.array());
      out.write(payload);
      out.flush();
    }
  }

  /** An HPACK string literal, not Huffman-coded, its length a 7-bit prefix integer. */
  private static void string(ByteArrayOutputStream block, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    int n = b.length;
    if (n < 127) {
      block.write(n);
    } else {
      block.write(127);
      n -= 127;
      while (n >= 128) {
        block.write((n & 0x7F) | 0x80);
        n >>>= 7;
      }
      block.write(n);
    }
    block.write(b, 0, b.length);
  }

  /** Closes the TCP connection at once, as a client that goes away does. */
  @Override
  public void close() throws IOException {
    socket.close();
  }
}
