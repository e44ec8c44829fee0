package io.dnsupdate.webhook.server;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.io.ssl.SslHandshakeListener;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * At most {@code maxHandshakes} TLS handshakes under way at once. A handshake the server has
 * answered (its ServerHello flight sent) holds the JDK's handshake state and TLS record buffers
 * until the client's Finished arrives: 1,000 clients shaking hands at once filled the 64 MiB heap
 * (WebhookMemoryBenchmark). A connection whose ClientHello arrives while every place is taken is
 * parked: its bytes stay in the kernel's socket buffer and the server holds neither buffers nor
 * handshake state for it until a place frees, in arrival order.
 *
 * <p>A place is taken when a connection's first handshake bytes arrive and given back when the
 * handshake ends, the connection closes, or the server waits for the rest of a ClientHello it has
 * not answered yet: connections that send nothing or half a ClientHello hold no place, so they
 * delay no one ({@code HeldConnectionsIT}). A handshake keeps its place at most {@code hold} (a
 * tenth of the handshake timeout): then it goes on without one, so clients that stall after their
 * ClientHello delay others by at most that, and hold at most {@code maxHandshakes} times ten
 * handshakes' state until the handshake timeout closes them.
 */
final class HandshakeGate {
  private final int places;
  private final long holdNanos;
  private final Scheduler scheduler;

  /** Connections holding a place, oldest first. */
  private final LinkedHashSet<Gated> holders = new LinkedHashSet<>();

  /** Connections whose ClientHello waits for a place, in arrival order. */
  private final ArrayDeque<Gated> parked = new ArrayDeque<>();

  private boolean wakeScheduled;

  HandshakeGate(int places, Duration hold, Scheduler scheduler) {
    this.places = places;
    this.holdNanos = hold.toNanos();
    this.scheduler = scheduler;
  }

  /** Handshakes holding a place now. */
  synchronized int inProgress() {
    return holders.size();
  }

  /** Connections waiting for a place now. */
  synchronized int waiting() {
    return parked.size();
  }

  /** True: go on; false: parked, {@link Gated#proceed()} is called once it has a place. */
  private boolean admit(Gated c) {
    synchronized (this) {
      if (c.exempt || holders.contains(c)) {
        return true;
      }
      long now = System.nanoTime();
      expire(now);
      if (holders.size() < places && parked.isEmpty()) {
        c.since = now;
        holders.add(c);
        return true;
      }
      if (!c.parked) {
        c.parked = true;
        parked.add(c);
      }
      scheduleWake(now);
    }
    List<Gated> admitted = admitParked();
    admitted.forEach(Gated::resume);
    return false;
  }

  /** The handshake ended, the connection closed, or it waits for the rest of its ClientHello. */
  private void release(Gated c) {
    synchronized (this) {
      if (c.parked) {
        c.parked = false;
        parked.remove(c);
      }
      if (!holders.remove(c)) {
        return;
      }
    }
    admitParked().forEach(Gated::resume);
  }

  private synchronized List<Gated> admitParked() {
    List<Gated> admitted = new ArrayList<>();
    long now = System.nanoTime();
    while (holders.size() < places && !parked.isEmpty()) {
      Gated c = parked.poll();
      c.parked = false;
      c.since = now;
      holders.add(c);
      admitted.add(c);
    }
    return admitted;
  }

  /** Places held longer than the hold are given up; those handshakes go on without one. */
  private void expire(long now) {
    for (Iterator<Gated> i = holders.iterator(); i.hasNext(); ) {
      Gated c = i.next();
      if (now - c.since < holdNanos) {
        return; // the rest are younger
      }
      c.exempt = true;
      i.remove();
    }
  }

  private void scheduleWake(long now) {
    if (wakeScheduled || holders.isEmpty()) {
      return;
    }
    wakeScheduled = true;
    long delay = Math.max(1, holders.iterator().next().since + holdNanos - now);
    scheduler.schedule(this::wake, delay, TimeUnit.NANOSECONDS);
  }

  private void wake() {
    synchronized (this) {
      wakeScheduled = false;
      long now = System.nanoTime();
      expire(now);
      if (!parked.isEmpty()) {
        scheduleWake(now);
      }
    }
    admitParked().forEach(Gated::resume);
  }

  /** Jetty's TLS connection factory, making gated connections. */
  static final class Factory extends SslConnectionFactory {
    private final HandshakeGate gate;

    Factory(SslContextFactory.Server tls, String nextProtocol, HandshakeGate gate) {
      super(tls, nextProtocol);
      this.gate = gate;
    }

    @Override
    protected SslConnection newSslConnection(
        Connector connector, EndPoint endPoint, SSLEngine engine) {
      return new Gated(
          gate,
          connector.getByteBufferPool(),
          connector.getExecutor(),
          getSslContextFactory(),
          endPoint,
          engine,
          isDirectBuffersForEncryption(),
          isDirectBuffersForDecryption());
    }
  }

  /**
   * A TLS connection that asks the gate before it reads handshake bytes. Jetty calls {@link
   * #onFillable()} when the network has bytes; parked, it does not read them, nor ask the selector
   * to watch the socket again, until the gate resumes it.
   */
  static final class Gated extends SslConnection implements SslHandshakeListener {
    private final HandshakeGate gate;

    /** Guarded by the gate. */
    private long since;

    private boolean parked;
    private boolean exempt;

    /** The server has written handshake bytes: it has answered the ClientHello. */
    private volatile boolean answered;

    private volatile boolean ended;

    Gated(
        HandshakeGate gate,
        ByteBufferPool buffers,
        Executor executor,
        SslContextFactory tls,
        EndPoint endPoint,
        SSLEngine engine,
        boolean directEncrypted,
        boolean directDecrypted) {
      super(buffers, executor, tls, endPoint, engine, directEncrypted, directDecrypted);
      this.gate = gate;
      addHandshakeListener(this);
    }

    @Override
    public void onFillable() {
      if (ended || gate.admit(this)) {
        super.onFillable();
      }
    }

    private void resume() {
      getExecutor().execute(this::proceed);
    }

    private void proceed() {
      super.onFillable();
    }

    @Override
    public void tryFillInterested(Callback callback) {
      if (!ended && !answered) {
        gate.release(this); // waiting for (the rest of) a ClientHello: no state held for it yet
      }
      super.tryFillInterested(callback);
    }

    @Override
    protected SSLEngineResult wrap(SSLEngine engine, ByteBuffer[] input, ByteBuffer output)
        throws SSLException {
      SSLEngineResult result = super.wrap(engine, input, output);
      if (result.bytesProduced() > 0) {
        answered = true;
      }
      return result;
    }

    @Override
    public void handshakeSucceeded(Event event) {
      ended();
    }

    @Override
    public void handshakeFailed(Event event, Throwable failure) {
      ended();
    }

    private void ended() {
      ended = true;
      gate.release(this);
    }

    @Override
    public void onClose(Throwable cause) {
      ended = true;
      gate.release(this);
      super.onClose(cause);
    }
  }
}
