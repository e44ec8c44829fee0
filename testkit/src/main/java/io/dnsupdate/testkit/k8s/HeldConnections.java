package io.dnsupdate.testkit.k8s;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * Connections a slow or hostile client opens and then leaves hanging, to check that a server keeps
 * serving others meanwhile and times these out: silent after connect, a TLS ClientHello cut short,
 * request headers cut short, a request body cut short. Each holds one socket on 127.0.0.1 (mind
 * {@code ulimit -n}: the server holds one more per connection).
 */
public final class HeldConnections implements AutoCloseable {
  /** How a connection stalls. */
  public enum Kind {
    /** TCP connected, nothing sent. */
    SILENT,
    /** The first bytes of a TLS ClientHello record, then nothing. */
    PARTIAL_HANDSHAKE,
    /** TLS done, then half a request header block. */
    PARTIAL_HEADERS,
    /** TLS done with a client certificate, request headers sent, the body cut short. */
    STALLED_BODY
  }

  private final List<Socket> sockets;

  private HeldConnections(List<Socket> sockets) {
    this.sockets = sockets;
  }

  /**
   * Opens {@code count} connections of one kind, a few at a time.
   *
   * @param tls for the TLS kinds: trusts the server, and for {@link Kind#STALLED_BODY} presents the
   *     client certificate the server authorizes (null for the plain kinds)
   * @param requestHead for {@link Kind#STALLED_BODY}: request line and headers without the blank
   *     line (a Content-Length larger than the part sent is added)
   */
  public static HeldConnections open(
      InetSocketAddress server, Kind kind, int count, SSLContext tls, String requestHead) {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<Socket>> opening = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        opening.add(pool.submit(() -> openOne(server, kind, tls, requestHead)));
      }
      List<Socket> out = Collections.synchronizedList(new ArrayList<>());
      for (Future<Socket> f : opening) {
        out.add(f.get());
      }
      return new HeldConnections(out);
    } catch (Exception e) {
      opening.forEach(
          f -> {
            try {
              f.get().close();
            } catch (Exception ignored) {
              // failed to open anyway
            }
          });
      throw new IllegalStateException("opening " + kind + " connections failed: " + e, e);
    } finally {
      pool.shutdownNow();
    }
  }

  private static Socket openOne(
      InetSocketAddress server, Kind kind, SSLContext tls, String requestHead) throws IOException {
    Socket plain = new Socket();
    plain.connect(server, 10_000);
    switch (kind) {
      case SILENT -> {
        return plain;
      }
      case PARTIAL_HANDSHAKE -> {
        // a handshake record announcing 512 bytes, and only the first few of them
        byte[] head = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc, 0x03, 0x03};
        plain.getOutputStream().write(head);
        plain.getOutputStream().flush();
        return plain;
      }
      default -> {
        SSLSocket s =
            (SSLSocket)
                tls.getSocketFactory()
                    .createSocket(plain, server.getHostString(), server.getPort(), true);
        s.setSoTimeout(10_000);
        s.startHandshake();
        OutputStream out = s.getOutputStream();
        if (kind == Kind.PARTIAL_HEADERS) {
          out.write(
              "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Half: ".getBytes(StandardCharsets.UTF_8));
        } else {
          String head = requestHead + "\r\nContent-Length: 4096\r\n\r\n{\"request\":";
          out.write(head.getBytes(StandardCharsets.UTF_8));
        }
        out.flush();
        return s;
      }
    }
  }

  /** How many connections were opened. */
  public int size() {
    return sockets.size();
  }

  /**
   * How many the server has not closed: a read that times out means open; end of stream, a reset or
   * an answer (a server giving up on a request writes one) means the server let go.
   */
  public int stillOpen() {
    int open = 0;
    for (Socket s : sockets) {
      if (isOpen(s)) {
        open++;
      }
    }
    return open;
  }

  private static boolean isOpen(Socket s) {
    try {
      s.setSoTimeout(1);
      InputStream in = s.getInputStream();
      in.read();
      return false;
    } catch (SocketTimeoutException e) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() {
    for (Socket s : sockets) {
      try {
        s.close();
      } catch (IOException e) {
        // closing a test socket cannot fail in a way that matters
      }
    }
  }

  /** Fails fast when this process may not hold that many sockets. */
  public static void requireFileDescriptors(int needed) {
    long max = maxFileDescriptors();
    if (max >= 0 && max < needed) {
      throw new UncheckedIOException(
          new IOException(
              "this JVM may open "
                  + max
                  + " files, the test needs "
                  + needed
                  + ": raise ulimit -n"));
    }
  }

  private static long maxFileDescriptors() {
    if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      return unix.getMaxFileDescriptorCount();
    }
    return -1;
  }
}
