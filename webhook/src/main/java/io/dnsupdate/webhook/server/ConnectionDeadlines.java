package io.dnsupdate.webhook.server;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLEngine;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.CyclicTimeout;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.io.ssl.SslHandshakeListener;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Absolute deadlines per connection, where Jetty's idle timeout only bounds the silence between two
 * bytes (a client trickling one byte every few seconds would hold a connection for ever): the TLS
 * handshake must end within the handshake timeout of the accept, the first request's headers within
 * the header timeout of the handshake, a body within the body timeout of its headers, and the next
 * request's headers within the idle timeout of the previous answer. A connection that misses its
 * deadline is closed. Added to the connector as a bean: Jetty then calls it for every connection
 * opened and closed and every handshake.
 */
final class ConnectionDeadlines implements Connection.Listener, SslHandshakeListener {
  private static final Logger log = LoggerFactory.getLogger(ConnectionDeadlines.class);

  /** The connection's {@link Watch}, an attribute of the HTTP connection's metadata. */
  private static final String ATTRIBUTE = ConnectionDeadlines.class.getName();

  private final Scheduler scheduler;
  private final ServingLimits limits;

  /** Handshake events name the engine, not the connection. */
  private final Map<SSLEngine, Watch> engines = new ConcurrentHashMap<>();

  ConnectionDeadlines(Scheduler scheduler, ServingLimits limits) {
    this.scheduler = scheduler;
    this.limits = limits;
  }

  /**
   * One connection's current deadline. A request re-arms it four times (headers in, body started,
   * body in, answer sent); cancelling and scheduling a scheduler task each time took the
   * scheduler's one queue lock four times per request and was ~3% of a challenge's CPU (JFR,
   * WebhookBenchmark). Jetty's {@link CyclicTimeout} moves a deadline without touching the
   * scheduler unless it comes earlier than the wake-up already scheduled; a wake-up before the
   * deadline re-schedules itself.
   */
  final class Watch extends CyclicTimeout {
    private final EndPoint network;
    private Armed armed;
    private boolean closed;

    /** The deadline armed last: its limit and what must be done by then. */
    private record Armed(Duration limit, String what) {}

    Watch(EndPoint network) {
      super(scheduler);
      this.network = network;
    }

    synchronized void arm(Duration limit, String what) {
      if (closed) {
        return;
      }
      armed = new Armed(limit, what);
      schedule(limit.toMillis(), TimeUnit.MILLISECONDS);
    }

    synchronized void disarm() {
      cancel();
    }

    synchronized void closed() {
      closed = true;
      destroy();
    }

    @Override
    public void onTimeoutExpired() {
      Armed a;
      synchronized (this) {
        a = armed;
      }
      if (a != null) {
        expire(a.limit(), a.what());
      }
    }

    private void expire(Duration limit, String what) {
      log.debug(
          "closing the connection from {}: {} not done within {} ms",
          network.getRemoteSocketAddress(),
          what,
          limit.toMillis());
      network.close(new TimeoutException(what + " not done within " + limit.toMillis() + " ms"));
    }
  }

  @Override
  public void onOpened(Connection connection) {
    if (connection instanceof SslConnection ssl) {
      Watch w = new Watch(ssl.getEndPoint());
      engines.put(ssl.getSSLEngine(), w);
      if (ssl.getSslEndPoint().getConnection() instanceof ConnectionMetaData http) {
        http.setAttribute(ATTRIBUTE, w);
      }
      w.arm(limits.handshakeTimeout(), "TLS handshake");
    }
  }

  @Override
  public void onClosed(Connection connection) {
    if (connection instanceof SslConnection ssl) {
      Watch w = engines.remove(ssl.getSSLEngine());
      if (w != null) {
        w.closed();
      }
    }
  }

  @Override
  public void handshakeSucceeded(Event event) {
    Watch w = engines.get(event.getSSLEngine());
    if (w != null) {
      w.arm(limits.headerTimeout(), "request headers");
    }
  }

  /** The request's headers are in: no deadline while it is handled (the budget bounds it). */
  static void requestStarted(Request request) {
    Watch w = watch(request);
    if (w != null) {
      w.disarm();
    }
  }

  /** The body is being read: it must be complete within the body timeout. */
  void bodyStarted(Request request) {
    Watch w = watch(request);
    if (w != null) {
      w.arm(limits.bodyTimeout(), "request body");
    }
  }

  /** The body is in (or failed): no deadline while the request is handled. */
  static void bodyDone(Request request) {
    requestStarted(request);
  }

  /** The answer is sent: the next request must come within the idle timeout. */
  void requestDone(Request request) {
    Watch w = watch(request);
    if (w != null) {
      w.arm(limits.idleTimeout(), "next request headers");
    }
  }

  private static Watch watch(Request request) {
    return request.getConnectionMetaData().getAttribute(ATTRIBUTE) instanceof Watch w ? w : null;
  }
}
