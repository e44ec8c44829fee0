package io.dnsupdate.dns;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * Persistent, pipelined TCP and DNS over TLS connections to nameservers (RFC 7766 §6.2.1), shared
 * by every UPDATE and query of the process: at most {@link #MAX_PER_SERVER} per server, so a burst
 * of requests never floods a server's listen queue; closed after {@link #IDLE_TIMEOUT} unused.
 */
final class ConnectionPool implements AutoCloseable {
  /** Connections per server: a second one only while the first is busy. */
  static final int MAX_PER_SERVER = 2;

  /** Connections across all servers; beyond it an idle one of another server is closed. */
  static final int MAX_TOTAL = 128;

  /** Below BIND's 30 s tcp-idle-timeout, so we close idle connections before the server does. */
  static final Duration IDLE_TIMEOUT = Duration.ofSeconds(10);

  private static final ScheduledThreadPoolExecutor SWEEPER = sweeper();

  private static final ConnectionPool SHARED =
      new ConnectionPool(MAX_PER_SERVER, MAX_TOTAL, IDLE_TIMEOUT);

  private static final long ANY_AGE = Long.MIN_VALUE;

  private final int maxPerServer;
  private final int maxTotal;
  private final long idleNanos;
  private final ScheduledFuture<?> sweep;
  private final Map<Key, List<StreamConnection>> servers = new HashMap<>(); // guarded by this
  private final AtomicInteger opened = new AtomicInteger();
  private int total; // guarded by this
  private boolean closed; // guarded by this

  ConnectionPool(int maxPerServer, int maxTotal, Duration idleTimeout) {
    this.maxPerServer = maxPerServer;
    this.maxTotal = maxTotal;
    this.idleNanos = idleTimeout.toNanos();
    long period = Math.max(idleTimeout.toMillis() / 4, 10);
    this.sweep =
        SWEEPER.scheduleWithFixedDelay(this::closeIdle, period, period, TimeUnit.MILLISECONDS);
  }

  /** One daemon thread closes idle connections for every pool. */
  private static ScheduledThreadPoolExecutor sweeper() {
    ScheduledThreadPoolExecutor sweeper =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "dns-idle-connections");
              t.setDaemon(true);
              return t;
            });
    sweeper.setRemoveOnCancelPolicy(true); // closed pools leave nothing behind
    return sweeper;
  }

  /** The process-wide pool. */
  static ConnectionPool shared() {
    return SHARED;
  }

  /**
   * What makes two endpoints share connections: the address, the port and how to talk to it. UDP
   * endpoints fall back to TCP on truncation, so they share the TCP connections.
   */
  record Key(String host, int port, Transport transport, TlsSettings tls) {
    static Key of(ServerEndpoint endpoint) {
      boolean tls = endpoint.transport() == Transport.TLS;
      return new Key(
          endpoint.nameserver().host(),
          endpoint.port(),
          tls ? Transport.TLS : Transport.TCP,
          tls ? endpoint.tls() : null);
    }
  }

  /**
   * Sends one message over a pooled connection and returns the answer's wire format.
   *
   * @param wireFor the message with the given id, signed: the id is covered by the TSIG MAC, so it
   *     is chosen (not in flight on the connection) before signing; called again for a resend
   */
  byte[] exchange(ServerEndpoint endpoint, long deadlineNanos, IntFunction<byte[]> wireFor)
      throws IOException {
    return send(endpoint, deadlineNanos, wireFor).answer();
  }

  /**
   * Writes one message on a pooled connection and returns without waiting for the answer, so one
   * thread can have several requests in flight (RFC 7766 §6.2.1.1) and collect their answers
   * afterwards: no thread per request. Every request sent must be {@link InFlight#answer answered}
   * or {@link InFlight#abandon abandoned}, which hands its share of the connection back.
   */
  InFlight send(ServerEndpoint endpoint, long deadlineNanos, IntFunction<byte[]> wireFor)
      throws IOException {
    try {
      return start(endpoint, deadlineNanos, wireFor, ANY_AGE);
    } catch (StreamConnection.StaleConnectionException stale) {
      return resend(endpoint, deadlineNanos, wireFor);
    }
  }

  /**
   * The server closed a connection we kept idle (RFC 7766 §6.2.3) before answering anything written
   * on it. Sending once more on a fresh connection is safe: queries change nothing, and our UPDATEs
   * add or delete single TXT values, which a server applies as a no-op when the value is already
   * there or already gone (RFC 2136 §3.4.2), so a repeat cannot double anything.
   */
  private InFlight resend(ServerEndpoint endpoint, long deadlineNanos, IntFunction<byte[]> wireFor)
      throws IOException {
    try {
      return start(endpoint, deadlineNanos, wireFor, System.nanoTime());
    } catch (StreamConnection.StaleConnectionException again) {
      throw again.original();
    }
  }

  /**
   * Writes one message right behind {@code earlier} on the connection that carries it. BIND, Knot
   * and PowerDNS take one connection's messages in the order they arrive, and answer a query as
   * soon as they take it (an update is applied later), so the server answers {@code earlier} before
   * it applies this one; messages on two connections are taken in either order. Where that
   * connection is retired or gone, the message goes on any pooled connection and the order is lost.
   */
  InFlight sendBehind(InFlight earlier, long deadlineNanos, IntFunction<byte[]> wireFor)
      throws IOException {
    Lease lease = leaseSame(earlier.endpoint, earlier.connection);
    if (lease == null) {
      return send(earlier.endpoint, deadlineNanos, wireFor);
    }
    try {
      return write(lease, earlier.endpoint, deadlineNanos, wireFor, ANY_AGE);
    } catch (StreamConnection.StaleConnectionException stale) {
      return resend(earlier.endpoint, deadlineNanos, wireFor);
    }
  }

  private InFlight start(
      ServerEndpoint endpoint, long deadlineNanos, IntFunction<byte[]> wireFor, long notBefore)
      throws IOException {
    return write(lease(endpoint, notBefore), endpoint, deadlineNanos, wireFor, notBefore);
  }

  private InFlight write(
      Lease lease,
      ServerEndpoint endpoint,
      long deadlineNanos,
      IntFunction<byte[]> wireFor,
      long notBefore)
      throws IOException {
    StreamConnection connection = lease.connection();
    StreamConnection.Pending request = null;
    try {
      if (lease.opens()) {
        opened.incrementAndGet();
        connection.open(deadlineNanos);
      } else {
        connection.awaitOpen(deadlineNanos);
      }
      request = connection.reserve();
      connection.write(request, wireFor.apply(request.id));
      return new InFlight(endpoint, deadlineNanos, wireFor, notBefore, connection, request);
    } catch (IOException | RuntimeException e) {
      if (request != null) {
        connection.forget(request); // signing failed: the id was never written
      }
      connection.release();
      throw e;
    }
  }

  /** A request written on a pooled connection, holding its share of it until answered. */
  final class InFlight {
    private final ServerEndpoint endpoint;
    private final long deadlineNanos;
    private final IntFunction<byte[]> wireFor;
    private final long notBefore;
    private final StreamConnection connection;
    private final StreamConnection.Pending request;
    private boolean released;

    private InFlight(
        ServerEndpoint endpoint,
        long deadlineNanos,
        IntFunction<byte[]> wireFor,
        long notBefore,
        StreamConnection connection,
        StreamConnection.Pending request) {
      this.endpoint = endpoint;
      this.deadlineNanos = deadlineNanos;
      this.wireFor = wireFor;
      this.notBefore = notBefore;
      this.connection = connection;
      this.request = request;
    }

    /** Waits for the answer's wire format; a request that went stale is sent once more. */
    byte[] answer() throws IOException {
      try {
        return connection.answer(request, deadlineNanos, () -> retire(connection));
      } catch (StreamConnection.StaleConnectionException stale) {
        if (notBefore != ANY_AGE) {
          throw stale.original();
        }
        release();
        return resend(endpoint, deadlineNanos, wireFor).answer();
      } finally {
        release();
      }
    }

    /** Gives up on the answer: a late one is dropped by the connection. */
    void abandon() {
      connection.forget(request);
      release();
    }

    private void release() {
      if (!released) {
        released = true;
        connection.release();
      }
    }
  }

  private record Lease(StreamConnection connection, boolean opens) {}

  /**
   * The least-loaded connection, or a new one when the others are busy and the bound allows.
   * Connections created before {@code notBefore} are not used (a resend wants a fresh one).
   */
  private synchronized Lease lease(ServerEndpoint endpoint, long notBefore) throws IOException {
    if (closed) {
      throw new IOException("the DNS connection pool is closed");
    }
    Key key = Key.of(endpoint);
    List<StreamConnection> connections = servers.computeIfAbsent(key, k -> new ArrayList<>());
    StreamConnection best = null;
    for (StreamConnection c : connections) {
      boolean fresh = notBefore == ANY_AGE || c.createdNanos() - notBefore >= 0;
      if (fresh && (best == null || c.load() < best.load())) {
        best = c;
      }
    }
    boolean opens = false;
    if (best == null || (best.load() > 0 && connections.size() < maxPerServer)) {
      if (connections.size() < maxPerServer && (total < maxTotal || closeLeastRecentlyUsed())) {
        best = new StreamConnection(endpoint, this::remove);
        connections.add(best);
        total++;
        opens = true;
      } else if (best == null && connections.isEmpty()) {
        servers.remove(key);
        throw new IOException(
            "more than " + maxTotal + " connections to nameservers are busy; try again later");
      } else if (best == null) {
        best = connections.get(0);
      }
    }
    best.acquire();
    return new Lease(best, opens);
  }

  /** A share of {@code connection} while it is pooled and takes new requests; null otherwise. */
  private synchronized Lease leaseSame(ServerEndpoint endpoint, StreamConnection connection) {
    if (closed || connection.isRetired()) {
      return null;
    }
    List<StreamConnection> connections = servers.get(Key.of(endpoint));
    if (connections == null || !connections.contains(connection)) {
      return null;
    }
    connection.acquire();
    return new Lease(connection, false);
  }

  /** Makes room under the overall bound by closing the idle connection unused for longest. */
  private boolean closeLeastRecentlyUsed() {
    StreamConnection oldest = null;
    for (List<StreamConnection> list : servers.values()) {
      for (StreamConnection c : list) {
        if (c.load() == 0 && (oldest == null || c.lastUsedNanos() < oldest.lastUsedNanos())) {
          oldest = c;
        }
      }
    }
    if (oldest == null) {
      return false;
    }
    detach(oldest);
    oldest.close();
    return true;
  }

  private synchronized void retire(StreamConnection connection) {
    detach(connection);
  }

  private synchronized void remove(StreamConnection connection) {
    detach(connection);
  }

  private void detach(StreamConnection connection) {
    for (var it = servers.values().iterator(); it.hasNext(); ) {
      List<StreamConnection> list = it.next();
      if (list.remove(connection)) {
        total--;
        if (list.isEmpty()) {
          it.remove();
        }
        return;
      }
    }
  }

  private void closeIdle() {
    List<StreamConnection> idle = new ArrayList<>();
    synchronized (this) {
      long now = System.nanoTime();
      for (List<StreamConnection> list : servers.values()) {
        for (StreamConnection c : list) {
          if (c.load() == 0 && now - c.lastUsedNanos() >= idleNanos) {
            idle.add(c);
          }
        }
      }
      idle.forEach(this::detach);
    }
    idle.forEach(StreamConnection::close);
  }

  /** Connections opened so far (tests count them). */
  int connectionsOpened() {
    return opened.get();
  }

  /** Connections open or opening to the endpoint's server now. */
  synchronized int connections(ServerEndpoint endpoint) {
    List<StreamConnection> list = servers.get(Key.of(endpoint));
    return list == null ? 0 : list.size();
  }

  /** Closes every connection; requests in flight fail. */
  @Override
  public void close() {
    List<StreamConnection> all = new ArrayList<>();
    synchronized (this) {
      closed = true;
      servers.values().forEach(all::addAll);
      servers.clear();
      total = 0;
    }
    sweep.cancel(false);
    all.forEach(StreamConnection::close);
  }
}
