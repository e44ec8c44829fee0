package io.dnsupdate.webhook.server;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLEngine;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http2.ErrorCode;
import org.eclipse.jetty.http2.HTTP2Connection;
import org.eclipse.jetty.http2.api.Stream;
import org.eclipse.jetty.http2.frames.ResetFrame;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.CyclicTimeout;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.io.ssl.SslHandshakeListener;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Absolute deadlines per connection, where Jetty's idle timeout only bounds the silence between two
 * bytes (a client trickling one byte every few seconds would hold a connection for ever): the TLS
 * handshake must end within the handshake timeout of the accept, the first request's headers within
 * the header timeout of the handshake, a body within the body timeout of its headers, and, once no
 * request is in progress on the connection, the next request's headers within the idle timeout of
 * the last answer. A connection that misses its deadline is closed.
 *
 * <p>An HTTP/2 connection carries many requests at once (kube-apiserver sends all of its proxied
 * requests over one): its connection deadline waits while any of its streams is in progress, and a
 * body that misses its deadline resets that stream only, so one stalled stream does not fail the
 * others. Added to the connector as a bean: Jetty then calls it for every connection opened and
 * closed and every handshake.
 */
final class ConnectionDeadlines implements Connection.Listener, SslHandshakeListener {
  private static final Logger log = LoggerFactory.getLogger(ConnectionDeadlines.class);

  /** The connection's {@link Watch}, an attribute of the HTTP connection's metadata. */
  private static final String ATTRIBUTE = ConnectionDeadlines.class.getName();

  /** A stream's body deadline, an attribute of its request. */
  private static final String BODY_ATTRIBUTE = ATTRIBUTE + ".body";

  private final Scheduler scheduler;
  private final ServingLimits limits;

  /** Handshake events name the engine, not the connection. */
  private final Map<SSLEngine, Watch> engines = new ConcurrentHashMap<>();

  /**
   * By the decrypted end point: the HTTP connection (HTTP/1.1 or HTTP/2, chosen by ALPN) opens on
   * it after the handshake and takes its watch from here.
   */
  private final Map<EndPoint, Watch> decrypted = new ConcurrentHashMap<>();

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
    private int inProgress;

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

    /** A request's headers are in: no connection deadline while any request is in progress. */
    synchronized void started() {
      inProgress++;
      cancel();
    }

    /** An answer is sent: the last one in progress starts the wait for the next request. */
    synchronized void ended() {
      inProgress = Math.max(0, inProgress - 1);
      if (inProgress == 0) {
        arm(limits.idleTimeout(), "next request headers");
      }
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
      decrypted.put(ssl.getSslEndPoint(), w);
      w.arm(limits.handshakeTimeout(), "TLS handshake");
    } else if (connection instanceof ConnectionMetaData http) {
      Watch w = decrypted.get(connection.getEndPoint());
      if (w != null) {
        http.setAttribute(ATTRIBUTE, w);
      }
    }
  }

  @Override
  public void onClosed(Connection connection) {
    if (connection instanceof SslConnection ssl) {
      decrypted.remove(ssl.getSslEndPoint());
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
      w.started();
    }
  }

  /**
   * The body is being read: it must be complete within the body timeout, or the connection is
   * closed (HTTP/1.1) or the stream reset (HTTP/2).
   */
  void bodyStarted(Request request) {
    if (isHttp2(request)) {
      request.setAttribute(
          BODY_ATTRIBUTE,
          scheduler.schedule(
              () -> resetStream(request, limits.bodyTimeout()),
              limits.bodyTimeout().toMillis(),
              TimeUnit.MILLISECONDS));
      return;
    }
    Watch w = watch(request);
    if (w != null) {
      w.arm(limits.bodyTimeout(), "request body");
    }
  }

  /** The body is in (or failed): no deadline while the request is handled. */
  static void bodyDone(Request request) {
    if (request.removeAttribute(BODY_ATTRIBUTE) instanceof Scheduler.Task stream) {
      stream.cancel();
      return;
    }
    if (!isHttp2(request)) {
      Watch w = watch(request);
      if (w != null) {
        w.disarm();
      }
    }
  }

  /**
   * The answer is sent: once none is in progress, the next request must come within the idle
   * timeout.
   */
  void requestDone(Request request) {
    Watch w = watch(request);
    if (w != null) {
      w.ended();
    }
  }

  /**
   * RST_STREAM for a stream whose body is late: Jetty fails the request's read, the answer cannot
   * be written, and the other streams of the connection go on.
   */
  private static void resetStream(Request request, Duration limit) {
    if (!(request.getConnectionMetaData().getConnection() instanceof HTTP2Connection h2)) {
      return;
    }
    Stream stream = h2.getSession().getStream(Integer.parseInt(request.getId()));
    if (stream == null) {
      return; // answered meanwhile
    }
    log.debug(
        "resetting stream {} from {}: request body not done within {} ms",
        stream.getId(),
        Request.getRemoteAddr(request),
        limit.toMillis());
    stream.reset(new ResetFrame(stream.getId(), ErrorCode.CANCEL_STREAM_ERROR.code), Callback.NOOP);
  }

  private static boolean isHttp2(Request request) {
    return request.getConnectionMetaData().getHttpVersion() == HttpVersion.HTTP_2;
  }

  private static Watch watch(Request request) {
    return request.getConnectionMetaData().getAttribute(ATTRIBUTE) instanceof Watch w ? w : null;
  }
}
