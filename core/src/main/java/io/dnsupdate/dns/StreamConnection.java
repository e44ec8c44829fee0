package io.dnsupdate.dns;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import jdk.net.ExtendedSocketOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One persistent TCP or DNS over TLS connection to a nameserver carrying many requests at once (RFC
 * 7766 §6.2.1.1 pipelining): every request has a message id that is not in flight on the
 * connection, one reader thread hands each answer to the request with its id, whatever the order
 * the server answers in (BIND and Knot answer out of order).
 */
final class StreamConnection {
  private static final Logger log = LoggerFactory.getLogger(StreamConnection.class);
  private static final AtomicLong SEQUENCE = new AtomicLong();

  /** Ids in flight at most; a server pauses reading long before (BIND at 23 per connection). */
  static final int MAX_IN_FLIGHT = 4096;

  private static final boolean QUICK_ACK =
      new Socket().supportedOptions().contains(ExtendedSocketOptions.TCP_QUICKACK);

  private final ServerEndpoint endpoint;
  private final Consumer<StreamConnection> onClosed;
  private final long createdNanos = System.nanoTime();
  private final CompletableFuture<Void> opened = new CompletableFuture<>();
  private final Map<Integer, Pending> pending = new ConcurrentHashMap<>();
  private final AtomicInteger load = new AtomicInteger();
  private final Object writeLock = new Object();
  private final Object stateLock = new Object();

  private volatile Socket socket;
  private Socket tcp; // the TCP socket under TLS, or the socket itself
  private OutputStream out;
  private boolean closed; // guarded by stateLock
  private volatile boolean retired;
  private volatile long lastUsedNanos = createdNanos;

  /** Answers whose first byte has arrived; only the reader thread writes it. */
  private volatile long framesStarted;

  /** {@link #framesStarted} when the connection last had nothing in flight, -1 before. */
  private volatile long framesWhenIdle = -1;

  StreamConnection(ServerEndpoint endpoint, Consumer<StreamConnection> onClosed) {
    this.endpoint = endpoint;
    this.onClosed = onClosed;
  }

  /** A request's place on the connection: its id and the future of its answer. */
  static final class Pending {
    final int id;
    final CompletableFuture<byte[]> answer = new CompletableFuture<>();
    long framesAtWrite;

    Pending(int id) {
      this.id = id;
    }
  }

  /**
   * The connection went away under requests written after it had been idle, before any byte of an
   * answer: the server closed it while idle (RFC 7766 §6.2.3), so sending them again is safe.
   */
  static final class StaleConnectionException extends IOException {
    StaleConnectionException(IOException cause) {
      super("connection closed by the nameserver while idle: " + cause.getMessage(), cause);
    }

    IOException original() {
      return (IOException) getCause();
    }
  }

  /** Connects (TCP, then TLS for DNS over TLS) and starts the reader; called by one thread only. */
  void open(long deadlineNanos) throws IOException {
    Socket plain = new Socket();
    try {
      InetAddress address = InetAddress.getByName(endpoint.nameserver().host());
      plain.connect(
          new InetSocketAddress(address, endpoint.port()), remainingMillis(deadlineNanos));
      plain.setTcpNoDelay(true);
      plain.setSoTimeout(remainingMillis(deadlineNanos));
      Socket s = endpoint.transport() == Transport.TLS ? startTls(plain) : plain;
      s.setSoTimeout(0); // the reader waits for as long as the connection lives
      out = s.getOutputStream();
      tcp = plain;
      socket = s;
    } catch (IOException | RuntimeException e) {
      closeQuietly(plain);
      fail(e instanceof IOException io ? io : new IOException(e));
      opened.completeExceptionally(e);
      throw e;
    }
    Thread reader =
        new Thread(this::readAnswers, "dns-" + endpoint.port() + "-" + SEQUENCE.incrementAndGet());
    reader.setDaemon(true);
    reader.start();
    opened.complete(null);
  }

  /** Waits for another thread's {@link #open}; its failure is this caller's failure too. */
  void awaitOpen(long deadlineNanos) throws IOException {
    await(opened, deadlineNanos);
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

  /** Reserves an id not in flight here; a closed connection is stale for its caller. */
  Pending reserve() throws IOException {
    synchronized (stateLock) {
      if (closed) {
        throw new StaleConnectionException(new EOFException("connection already closed"));
      }
      if (pending.size() >= MAX_IN_FLIGHT) {
        throw new IOException(MAX_IN_FLIGHT + " requests in flight on one connection");
      }
      ThreadLocalRandom random = ThreadLocalRandom.current();
      while (true) {
        Pending p = new Pending(random.nextInt(0x10000));
        if (pending.putIfAbsent(p.id, p) == null) {
          return p;
        }
      }
    }
  }

  /**
   * Writes the length and the message in one write (RFC 7766 §8). A failed write fails the
   * connection, and with it this request through its future.
   */
  void write(Pending p, byte[] wire) {
    p.framesAtWrite = framesStarted;
    ByteBuffer framed = ByteBuffer.allocate(2 + wire.length);
    framed.putShort((short) wire.length).put(wire);
    try {
      synchronized (writeLock) {
        out.write(framed.array());
        out.flush();
      }
    } catch (IOException e) {
      fail(e);
    }
  }

  /**
   * The answer to {@code p}, or the reason there is none. A request that times out fails alone and
   * frees its id; the connection is retired (no new requests, closed once drained) only when it
   * carried nothing at all back since the request was written.
   */
  byte[] answer(Pending p, long deadlineNanos, Runnable retire) throws IOException {
    try {
      return await(p.answer, deadlineNanos);
    } catch (SocketTimeoutException e) {
      pending.remove(p.id, p);
      if (framesStarted == p.framesAtWrite) {
        retired = true;
        retire.run();
      }
      throw e;
    } catch (IOException e) {
      pending.remove(p.id, p);
      throw e;
    }
  }

  /** Frees the id of a request nobody waits for any more; its answer, if it comes, is dropped. */
  void forget(Pending p) {
    pending.remove(p.id, p);
  }

  private static <T> T await(CompletableFuture<T> future, long deadlineNanos) throws IOException {
    try {
      long nanos = deadlineNanos - System.nanoTime();
      if (nanos <= 0 && !future.isDone()) {
        throw new SocketTimeoutException("deadline passed");
      }
      return future.get(Math.max(nanos, 0), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new SocketTimeoutException("deadline passed");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted waiting for the nameserver");
    } catch (CancellationException e) {
      throw new IOException("cancelled", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IOException(e.getCause());
    }
  }

  private void readAnswers() {
    try {
      DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
      while (true) {
        int first = in.read();
        if (first < 0) {
          throw new EOFException("the nameserver closed the connection");
        }
        framesStarted++;
        int length = (first << 8) | in.readUnsignedByte();
        byte[] answer = new byte[length];
        in.readFully(answer);
        if (length < 12) {
          throw new IOException("the nameserver sent a " + length + "-byte message");
        }
        int id = ((answer[0] & 0xFF) << 8) | (answer[1] & 0xFF);
        Pending p = pending.remove(id);
        if (!pending.isEmpty()) {
          acknowledgeNow();
        }
        if (p != null) {
          p.answer.complete(answer);
        } else {
          log.debug("{} answered id {} that nobody waits for (timed out)", endpoint, id);
        }
      }
    } catch (IOException e) {
      fail(e);
    }
  }

  /**
   * With more answers to come, acknowledges what arrived at once instead of after the delayed-ACK
   * timer (40 ms on Linux): named does not set TCP_NODELAY, so Nagle holds each further small
   * answer on a pipelined connection until the previous one is acknowledged.
   */
  private void acknowledgeNow() {
    if (QUICK_ACK) {
      try {
        tcp.setOption(ExtendedSocketOptions.TCP_QUICKACK, true);
      } catch (IOException | UnsupportedOperationException e) {
        log.trace("TCP_QUICKACK", e);
      }
    }
  }

  /** Counts a request against this connection; the pool calls it under its lock. */
  void acquire() {
    load.incrementAndGet();
  }

  /** The request is done; the last one out of a retired connection closes it. */
  void release() {
    if (load.decrementAndGet() == 0) {
      lastUsedNanos = System.nanoTime();
      framesWhenIdle = framesStarted;
      if (retired) {
        close();
      }
    }
  }

  int load() {
    return load.get();
  }

  long lastUsedNanos() {
    return lastUsedNanos;
  }

  long createdNanos() {
    return createdNanos;
  }

  boolean isRetired() {
    return retired;
  }

  boolean isClosed() {
    synchronized (stateLock) {
      return closed;
    }
  }

  /** Closes the connection; requests still in flight fail. */
  void close() {
    fail(new EOFException("connection closed"));
  }

  /**
   * Ends the connection once. Requests in flight fail with {@code cause}, except where the server
   * closed a connection that had been idle and sent nothing back since: those are stale.
   */
  private void fail(IOException cause) {
    List<Pending> victims;
    boolean stale;
    synchronized (stateLock) {
      if (closed) {
        return;
      }
      closed = true;
      stale = framesWhenIdle >= 0 && framesStarted == framesWhenIdle;
      victims = new ArrayList<>(pending.values());
      pending.clear();
    }
    closeQuietly(socket);
    onClosed.accept(this);
    if (!victims.isEmpty()) {
      log.debug("connection to {} ended with {} in flight: {}", endpoint, victims.size(), cause);
    }
    IOException failure = stale ? new StaleConnectionException(cause) : cause;
    for (Pending p : victims) {
      p.answer.completeExceptionally(failure);
    }
  }

  private static void closeQuietly(Socket s) {
    if (s != null) {
      try {
        s.close();
      } catch (IOException e) {
        log.trace("closing a DNS connection", e);
      }
    }
  }

  private static int remainingMillis(long deadlineNanos) throws SocketTimeoutException {
    long ms = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
    if (ms <= 0) {
      throw new SocketTimeoutException("deadline passed");
    }
    return (int) Math.min(ms, Integer.MAX_VALUE);
  }

  @Override
  public String toString() {
    return endpoint + " connection, " + load.get() + " in flight";
  }
}
