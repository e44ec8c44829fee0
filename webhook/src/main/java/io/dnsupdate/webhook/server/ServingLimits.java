package io.dnsupdate.webhook.server;

import java.time.Duration;
import java.util.Objects;

/**
 * How much the HTTPS endpoint lets any one client hold, and for how long. A TLS handshake, the
 * headers of a connection's first request and a request body must each complete within their
 * timeout; a kept-alive connection must send its next request's headers within the idle timeout;
 * beyond {@code maxConnections} connections are not accepted (they wait in the kernel's backlog);
 * beyond {@code maxHandshakes} TLS handshakes under way another ClientHello waits unread ({@link
 * HandshakeGate}); beyond {@code maxChallenges} challenges in progress a new one gets 429 with
 * {@code Retry-After}. Over HTTP/2 the connection deadlines wait while any stream of the connection
 * is in progress, a late body resets its stream only, and one connection carries at most {@link
 * #maxThreads()} streams at once.
 *
 * @param handshakeTimeout from accepting a connection to the end of its TLS handshake
 * @param headerTimeout from the end of the handshake to the end of the first request's headers
 * @param bodyTimeout from the request's headers to the end of its body
 * @param idleTimeout a connection without traffic is closed after this long; kube-apiserver keeps
 *     connections to aggregated servers alive for 90 s, so the default is longer
 * @param maxConnections TCP connections open at once, whatever their protocol
 * @param maxHandshakes TLS handshakes under way at once (from the ClientHello read to the end of
 *     the handshake): each holds the JDK's handshake state and TLS record buffers on the heap
 * @param maxChallenges Presents and CleanUps in progress at once (each may wait on DNS)
 * @param shutdownGrace on SIGTERM, how long challenges in progress may take to finish
 */
public record ServingLimits(
    Duration handshakeTimeout,
    Duration headerTimeout,
    Duration bodyTimeout,
    Duration idleTimeout,
    int maxConnections,
    int maxHandshakes,
    int maxChallenges,
    Duration shutdownGrace) {

  public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_BODY_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(120);
  public static final int DEFAULT_MAX_CONNECTIONS = 4096;

  /**
   * A handshake under way holds the JDK's handshake state and TLS record buffers; 1,000 at once
   * filled the 64 MiB heap (WebhookMemoryBenchmark). kube-apiserver opens a few connections and
   * keeps them, probes open one at a time; a burst of new connections goes through 16 handshakes at
   * a time.
   */
  public static final int DEFAULT_MAX_HANDSHAKES = 16;

  /**
   * cert-manager solves at most 60 challenges at once by default ({@code
   * --max-concurrent-challenges}), spread over the webhook's replicas. Each slot is a worker thread
   * with its stack and buffers: 64 rather than 128 is 9 MiB less peak memory under 1,000 challenges
   * at once (WebhookMemoryBenchmark); beyond it callers get 429 and retry.
   */
  public static final int DEFAULT_MAX_CHALLENGES = 64;

  public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(60);

  /** Requests other than challenges (health, discovery, refusals) get threads of their own. */
  static final int RESERVED_THREADS = 16;

  public ServingLimits {
    Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
    Objects.requireNonNull(headerTimeout, "headerTimeout");
    Objects.requireNonNull(bodyTimeout, "bodyTimeout");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    Objects.requireNonNull(shutdownGrace, "shutdownGrace");
    if (maxConnections < 1 || maxHandshakes < 1 || maxChallenges < 1) {
      throw new IllegalArgumentException(
          "maxConnections, maxHandshakes and maxChallenges must be positive");
    }
  }

  /** The defaults. */
  public static ServingLimits defaults() {
    return new ServingLimits(
        DEFAULT_HANDSHAKE_TIMEOUT,
        DEFAULT_HEADER_TIMEOUT,
        DEFAULT_BODY_TIMEOUT,
        DEFAULT_IDLE_TIMEOUT,
        DEFAULT_MAX_CONNECTIONS,
        DEFAULT_MAX_HANDSHAKES,
        DEFAULT_MAX_CHALLENGES,
        DEFAULT_SHUTDOWN_GRACE);
  }

  /**
   * Longest a handshake keeps its place under {@code maxHandshakes}: a tenth of the handshake
   * timeout (1 s by default). A client that stalls after its ClientHello delays others at most this
   * long.
   */
  Duration handshakeHold() {
    return handshakeTimeout.dividedBy(10);
  }

  /**
   * Worker threads: one per challenge in progress (they block on DNS), plus a reserve; also the
   * HTTP/2 streams one connection may have open at once.
   */
  int maxThreads() {
    return maxChallenges + RESERVED_THREADS;
  }
}
