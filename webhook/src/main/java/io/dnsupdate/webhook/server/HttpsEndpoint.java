package io.dnsupdate.webhook.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http2.HTTP2Cipher;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.WindowRateControl;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTPS listener (Jetty 12, HTTP/2 and HTTP/1.1 by ALPN): TLS 1.2/1.3 with the reloading
 * serving key, client certificates requested but not required, {@code TCP_NODELAY}, the {@link
 * ServingLimits} (absolute handshake, header and body deadlines, idle timeout, a connection cap, a
 * cap on handshakes under way) and a bounded worker pool: one thread per challenge in progress,
 * since solving blocks on DNS, plus a reserve, so health probes and refusals are answered while
 * every challenge slot is busy. Connections waiting for bytes hold no thread. Memory: heap buffers
 * from a pool with a cap, a small TLS session cache. Errors Jetty answers itself are Kubernetes
 * {@code Status} objects.
 *
 * <p>HTTP/2 is offered first because kube-apiserver's aggregator speaks it when offered: its
 * requests share one connection, and a request it cancels (its caller hung up, its timeout passed)
 * arrives as RST_STREAM, which Jetty turns into a failure of that request at once, so the challenge
 * stops before its UPDATE. An HTTP/1.1 connection is not read while its request is handled.
 */
public final class HttpsEndpoint implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HttpsEndpoint.class);

  /** Longest request header block; kube-apiserver sends one X-Remote-Group line per group. */
  static final int MAX_REQUEST_HEADERS = 32 * 1024;

  /** Connections accepted but not yet served by the process wait in this kernel backlog. */
  static final int ACCEPT_QUEUE = 1024;

  /**
   * Most a response holds in its buffer before writing: answers are small Status and discovery
   * documents, and each challenge in progress holds one (Jetty's default is 32 KiB).
   */
  static final int OUTPUT_BUFFER = 8 * 1024;

  /**
   * Most the buffer pool keeps for reuse once connections are gone, in heap and in direct memory.
   * Buffers are on the heap (TLS records and HTTP both), so memory under load is bounded by the
   * heap size and a burst of connections leaves no direct memory behind.
   */
  static final long POOL_HEAP_BYTES = 4L * 1024 * 1024;

  static final long POOL_DIRECT_BYTES = 1024L * 1024;

  /**
   * TLS sessions kept for resumption, and for how long. The JDK keeps 20,480 for a day, so
   * unauthenticated clients that each complete a handshake would fill the heap with sessions;
   * kube-apiserver keeps its few connections alive and needs no more than a few.
   */
  static final int TLS_SESSION_CACHE = 256;

  static final int TLS_SESSION_SECONDS = 3600;

  /**
   * How much request body an HTTP/2 stream may send before the webhook has read it: one largest
   * ChallengePayload. Jetty's default is 512 KiB, and the data is held in heap buffers until read.
   */
  static final int H2_STREAM_WINDOW = Router.MAX_BODY;

  /**
   * How much request body all streams of one HTTP/2 connection may send before it is read: four
   * largest ChallengePayloads (Jetty's default is 1 MiB, times {@code maxConnections}).
   */
  static final int H2_SESSION_WINDOW = 4 * Router.MAX_BODY;

  /**
   * HPACK dynamic table sizes, each way: the protocol's default of 4 KiB, kept explicit because
   * every connection holds its tables for its lifetime.
   */
  static final int H2_HPACK_TABLE = 4096;

  /**
   * Frames per second one HTTP/2 connection may send that cost work without making progress (resets
   * of streams just opened, PINGs, SETTINGS, empty frames) before it is closed: the defence against
   * "rapid reset" (CVE-2023-44487). Jetty's default, set here so that it stays on.
   */
  static final int H2_MAX_EVENTS_PER_SECOND = 128;

  private final Server server;
  private final ServerConnector connector;
  private final HandshakeGate handshakes;

  private HttpsEndpoint(Server server, ServerConnector connector, HandshakeGate handshakes) {
    this.server = server;
    this.connector = connector;
    this.handshakes = handshakes;
  }

  /** Binds and starts serving. */
  public static HttpsEndpoint start(
      String bindAddress,
      int port,
      ReloadingKeyManager keyManager,
      ServingLimits limits,
      Router router) {
    SSLContext ssl;
    try {
      ssl = SSLContext.getInstance("TLS");
      ssl.init(
          new KeyManager[] {keyManager},
          new TrustManager[] {new DeferredClientTrustManager()},
          null);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("TLS is not available: " + e.getMessage(), e);
    }
    ssl.getServerSessionContext().setSessionCacheSize(TLS_SESSION_CACHE);
    ssl.getServerSessionContext().setSessionTimeout(TLS_SESSION_SECONDS);
    QueuedThreadPool threads = new QueuedThreadPool(limits.maxThreads(), 4, 30_000);
    threads.setName("https");
    threads.setDaemon(true);
    ScheduledExecutorScheduler scheduler = new ScheduledExecutorScheduler("https-timer", true);
    ArrayByteBufferPool buffers =
        new ArrayByteBufferPool(0, -1, -1, -1, POOL_HEAP_BYTES, POOL_DIRECT_BYTES);
    Server server = new Server(threads, scheduler, buffers);
    server.setErrorHandler(new StatusErrorHandler());
    // answers already under way finish on close; the drain before close waits for challenges
    server.setStopTimeout(Duration.ofSeconds(5).toMillis());

    SslContextFactory.Server tls = new SslContextFactory.Server();
    tls.setSslContext(ssl);
    tls.setWantClientAuth(true);
    tls.setIncludeProtocols("TLSv1.3", "TLSv1.2");
    tls.setRenegotiationAllowed(false);
    // TLS 1.2 clients get a cipher HTTP/2 allows (RFC 7540 9.2.2) when they offer one; among
    // those, ChaCha20-Poly1305 first (the server's order decides): the image runs C1 only
    // (jvm.options), and C1 has none of C2's AES-GCM intrinsics, so AES-GCM ran as plain Java
    // (19 % of the webhook threads' CPU in a JFR of WebhookBenchmark) where ChaCha20 costs less:
    // 0.26-0.27 s of webhook CPU per 1,000 challenges against 0.30-0.34 s.
    tls.setCipherComparator(HTTP2Cipher.COMPARATOR.thenComparing(HttpsEndpoint::chachaFirst));
    ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory("h2", "http/1.1");
    alpn.setDefaultProtocol("http/1.1"); // clients without ALPN (curl --http1.1, probes)
    HandshakeGate handshakes =
        new HandshakeGate(limits.maxHandshakes(), limits.handshakeHold(), scheduler);
    SslConnectionFactory tlsConnections =
        new HandshakeGate.Factory(tls, alpn.getProtocol(), handshakes);
    tlsConnections.setDirectBuffersForEncryption(false);
    tlsConnections.setDirectBuffersForDecryption(false);

    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendXPoweredBy(false);
    http.setRequestHeaderSize(MAX_REQUEST_HEADERS);
    http.setOutputBufferSize(OUTPUT_BUFFER);
    http.setUseInputDirectByteBuffers(false);
    http.setUseOutputDirectByteBuffers(false);
    // No per-connection cache of HTTP/1.1 header fields: from a connection's second request on,
    // Jetty keeps a trie of its header fields whose table is 48 chars per byte of capacity (the
    // default 1,024: ~100 KB per kept-alive connection; 6.7 of a heap histogram's 18 MB more than
    // over h2 in WebhookMemoryBenchmark). It only saves parsing a few repeated headers; the
    // aggregator speaks h2 (HPACK) anyway.
    http.setHeaderCacheSize(0);
    // the peer certificates become a request attribute; no SNI check: clients dial IPs too
    http.addCustomizer(new SecureRequestCustomizer(false));

    ServerConnector connector =
        new ServerConnector(
            server,
            1,
            -1,
            tlsConnections,
            alpn,
            http2(http, limits),
            new HttpConnectionFactory(http));
    connector.setHost(bindAddress);
    connector.setPort(port);
    connector.setIdleTimeout(limits.idleTimeout().toMillis());
    connector.setAcceptedTcpNoDelay(true);
    connector.setAcceptQueueSize(ACCEPT_QUEUE);
    ConnectionDeadlines deadlines = new ConnectionDeadlines(scheduler, limits);
    connector.addBean(deadlines);
    router.deadlines(deadlines);
    server.addConnector(connector);

    // No shorter idle timeout at the cap: Jetty would apply it to every connection, including
    // those whose challenge is waiting on DNS; the absolute deadlines already bound idle ones.
    // Counts TCP connections as the selector accepts and closes them. The older ConnectionLimit
    // counted Connection objects: TLS, ALPN and HTTP layers each opened one, and with ALPN its
    // count never reached the cap (ConnectionCapIT).
    server.addBean(new NetworkConnectionLimit(limits.maxConnections(), connector));
    server.setHandler(router);
    try {
      server.start();
    } catch (IOException e) {
      stopQuietly(server);
      throw new UncheckedIOException(
          "cannot listen on " + bindAddress + ":" + port + ": " + e.getMessage(), e);
    } catch (Exception e) {
      stopQuietly(server);
      throw new IllegalStateException("the HTTPS server did not start: " + e.getMessage(), e);
    }
    log.info(
        "serving HTTPS (h2, http/1.1) on {}:{} (at most {} connections, {} handshakes, {}"
            + " challenges at once)",
        bindAddress,
        connector.getLocalPort(),
        limits.maxConnections(),
        limits.maxHandshakes(),
        limits.maxChallenges());
    return new HttpsEndpoint(server, connector, handshakes);
  }

  /**
   * HTTP/2 with the same header limit, buffers and error pages as HTTP/1.1. Streams at once on one
   * connection: one per worker thread ({@link ServingLimits#maxThreads()}, the challenge slots and
   * the reserve), so one connection can fill every challenge slot and still get health and
   * discovery answers, and never queues more streams than there are threads; challenges beyond
   * {@code maxChallenges} still get 429. A Go client (kube-apiserver) opens another connection when
   * one has no stream left. A stream without frames for the idle timeout fails, as an HTTP/1.1
   * connection does; the {@link ConnectionDeadlines} bound headers and bodies per stream.
   */
  private static HTTP2ServerConnectionFactory http2(HttpConfiguration http, ServingLimits limits) {
    HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(http);
    h2.setMaxConcurrentStreams(limits.maxThreads());
    h2.setInitialStreamRecvWindow(H2_STREAM_WINDOW);
    h2.setInitialSessionRecvWindow(H2_SESSION_WINDOW);
    h2.setMaxDecoderTableCapacity(H2_HPACK_TABLE);
    h2.setMaxEncoderTableCapacity(H2_HPACK_TABLE);
    h2.setRateControlFactory(new WindowRateControl.Factory(H2_MAX_EVENTS_PER_SECOND));
    h2.setStreamIdleTimeout(limits.idleTimeout().toMillis());
    h2.setConnectProtocolEnabled(false); // no WebSocket or tunnels over HTTP/2 here
    h2.setUseInputDirectByteBuffers(false);
    h2.setUseOutputDirectByteBuffers(false);
    return h2;
  }

  private static void stopQuietly(Server server) {
    try {
      server.stop();
    } catch (Exception ignored) {
      // start failed already; that is the error to report
    }
  }

  /** The bound port (useful with port 0). */
  public int port() {
    return connector.getLocalPort();
  }

  /** The bound address. */
  public InetSocketAddress address() {
    String host = connector.getHost();
    return new InetSocketAddress(host == null ? "0.0.0.0" : host, port());
  }

  /** TLS handshakes holding a place under {@code maxHandshakes} now. */
  public int handshakesInProgress() {
    return handshakes.inProgress();
  }

  /** Connections whose ClientHello waits for a place under {@code maxHandshakes} now. */
  public int handshakesWaiting() {
    return handshakes.waiting();
  }

  /**
   * TCP_NODELAY of every connection open now, read from its socket: without it, an answer written
   * in two segments waits for the client's delayed ACK (~40 ms on Linux).
   */
  public List<Boolean> openConnectionsNoDelay() {
    List<Boolean> noDelay = new ArrayList<>();
    for (EndPoint ep : connector.getConnectedEndPoints()) {
      if (ep.getTransport() instanceof SocketChannel channel) {
        try {
          noDelay.add(channel.getOption(StandardSocketOptions.TCP_NODELAY));
        } catch (IOException e) {
          // closed meanwhile
        }
      }
    }
    return noDelay;
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      log.warn("stopping the HTTPS server failed: {}", e.toString());
    }
  }

  /** ChaCha20-Poly1305 suites before the others; the JDK's order otherwise (the sort is stable). */
  static int chachaFirst(String a, String b) {
    return Boolean.compare(!a.contains("CHACHA20"), !b.contains("CHACHA20"));
  }
}
