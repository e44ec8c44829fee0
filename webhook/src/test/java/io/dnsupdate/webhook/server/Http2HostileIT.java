package io.dnsupdate.webhook.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.webhook.WebhookFixture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hostile HTTP/2 clients are bounded like HTTP/1.1 ones: a connection that sends the preface and no
 * request is closed at the header timeout; streams beyond the advertised cap are refused; a stream
 * whose body stalls is reset at the body timeout while its connection goes on serving; a flood of
 * streams opened and reset at once ("rapid reset") closes the connection.
 */
class Http2HostileIT {
  static final int MAX_CHALLENGES = 2;
  static final int MAX_STREAMS = MAX_CHALLENGES + ServingLimits.RESERVED_THREADS;

  /** The deadlines plus room for a loaded machine; far below Jetty's own idle timeout. */
  static final Duration WITHIN = Duration.ofSeconds(10);

  static WebhookFixture fixture;

  @BeforeAll
  static void start() {
    fixture =
        WebhookFixture.start(
            List.of(
                "--max-challenges=" + MAX_CHALLENGES,
                "--handshake-timeout=1s",
                "--header-timeout=1s",
                "--body-timeout=1s",
                "--idle-timeout=30s"));
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  private static RawHttp2 connect(SSLContext tls) throws IOException {
    return RawHttp2.connect(new InetSocketAddress("127.0.0.1", fixture.webhook.port()), tls);
  }

  /** Reads until the server closes the connection; the GOAWAY's error code if one came, else -1. */
  private static int untilClosed(RawHttp2 h2) throws IOException {
    int goAway = -1;
    long end = System.nanoTime() + WITHIN.toNanos();
    while (System.nanoTime() < end) {
      RawHttp2.Frame f = h2.read(Duration.ofNanos(end - System.nanoTime()));
      if (f == null) {
        return goAway;
      }
      if (f.type() == RawHttp2.GOAWAY) {
        goAway = f.errorCode();
      }
    }
    throw new AssertionError("the connection is still open after " + WITHIN);
  }

  @Test
  void aPrefaceWithoutRequestIsClosedAtTheHeaderTimeout() throws IOException {
    try (RawHttp2 h2 = connect(fixture.servingCa.sslContext())) {
      long t0 = System.nanoTime();
      h2.preface();
      untilClosed(h2);
      Duration took = Duration.ofNanos(System.nanoTime() - t0);
      System.out.printf("[h2] preface and nothing: closed after %d ms%n", took.toMillis());
      assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(900));
    }
  }

  @Test
  void streamsBeyondTheCapAreRefusedAndStalledBodiesResetWhileTheConnectionServes()
      throws IOException {
    try (RawHttp2 h2 = connect(fixture.frontProxyCert.sslContext(fixture.servingCa))) {
      h2.preface();
      // every allowed stream a Present whose body never comes
      long t0 = System.nanoTime();
      for (int i = 0; i < MAX_STREAMS; i++) {
        h2.headers(2 * i + 1, Http2IT.challengeHeaders(fixture.webhook.port(), 1000), false);
      }
      int beyond = 2 * MAX_STREAMS + 1;
      h2.headers(beyond, Http2IT.challengeHeaders(fixture.webhook.port(), 1000), false);

      Set<Integer> resetAtBodyTimeout = new HashSet<>();
      Integer refusal = null;
      long end = System.nanoTime() + WITHIN.toNanos();
      while ((refusal == null || resetAtBodyTimeout.size() < MAX_STREAMS)
          && System.nanoTime() < end) {
        RawHttp2.Frame f = h2.read(Duration.ofNanos(end - System.nanoTime()));
        assertThat(f).as("the connection stays open").isNotNull();
        assertThat(f.type()).as("no GOAWAY").isNotEqualTo(RawHttp2.GOAWAY);
        if (f.type() == RawHttp2.RST_STREAM && f.stream() == beyond) {
          refusal = f.errorCode();
        } else if (f.type() == RawHttp2.RST_STREAM) {
          resetAtBodyTimeout.add(f.stream());
        }
      }
      Duration took = Duration.ofNanos(System.nanoTime() - t0);
      System.out.printf(
          "[h2] %d stalled bodies reset after %d ms, stream %d refused%n",
          resetAtBodyTimeout.size(), took.toMillis(), beyond);
      assertThat(refusal).isEqualTo(RawHttp2.REFUSED_STREAM);
      assertThat(resetAtBodyTimeout).hasSize(MAX_STREAMS);
      assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(900));

      // the same connection still serves
      int next = beyond + 2;
      List<String[]> health = new ArrayList<>();
      health.add(new String[] {":method", "GET"});
      health.add(new String[] {":scheme", "https"});
      health.add(new String[] {":authority", "127.0.0.1"});
      health.add(new String[] {":path", "/healthz"});
      h2.headers(next, health, true);
      RawHttp2.Frame data = h2.await(RawHttp2.DATA, next, WITHIN);
      assertThat(new String(data.payload(), StandardCharsets.UTF_8)).isEqualTo("ok");
    }
  }

  /** A GET of /healthz whose one extra header has {@code size} bytes of value. */
  private static List<String[]> healthWithHeader(int size) {
    List<String[]> h = new ArrayList<>();
    h.add(new String[] {":method", "GET"});
    h.add(new String[] {":scheme", "https"});
    h.add(new String[] {":authority", "127.0.0.1"});
    h.add(new String[] {":path", "/healthz"});
    h.add(new String[] {"x-remote-group", "g".repeat(size)});
    return h;
  }

  /**
   * The header limit is HTTP/1.1's 32 KiB (kube-apiserver sends one X-Remote-Group per group),
   * advertised in SETTINGS_MAX_HEADER_LIST_SIZE so that a client like kube-apiserver's refuses to
   * send more; a client that sends more anyway loses the connection (GOAWAY PROTOCOL_ERROR: HPACK
   * state is shared by the connection, so no answer on the stream is possible).
   */
  @Test
  void headersUpToTheLimitAreServedAndBeyondItCloseTheConnection() throws IOException {
    try (RawHttp2 h2 = connect(fixture.servingCa.sslContext())) {
      h2.preface();
      RawHttp2.Frame settings = h2.read(WITHIN);
      assertThat(settings.settings().get(RawHttp2.SETTINGS_MAX_HEADER_LIST_SIZE))
          .isEqualTo((long) HttpsEndpoint.MAX_REQUEST_HEADERS);
      h2.headers(1, healthWithHeader(HttpsEndpoint.MAX_REQUEST_HEADERS - 2048), true);
      RawHttp2.Frame ok = h2.await(RawHttp2.DATA, 1, WITHIN);
      assertThat(new String(ok.payload(), StandardCharsets.UTF_8)).isEqualTo("ok");

      h2.headers(3, healthWithHeader(HttpsEndpoint.MAX_REQUEST_HEADERS), true);
      assertThat(untilClosed(h2)).isEqualTo(RawHttp2.PROTOCOL_ERROR);
    }
  }

  @Test
  void aRapidResetFloodClosesTheConnection() throws IOException {
    try (RawHttp2 h2 = connect(fixture.servingCa.sslContext())) {
      h2.preface();
      List<String[]> health = new ArrayList<>();
      health.add(new String[] {":method", "GET"});
      health.add(new String[] {":scheme", "https"});
      health.add(new String[] {":authority", "127.0.0.1"});
      health.add(new String[] {":path", "/healthz"});
      int goAway = -1;
      try {
        for (int i = 0; i < 1000; i++) {
          int stream = 2 * i + 1;
          h2.headers(stream, health, true);
          h2.reset(stream, RawHttp2.CANCEL);
        }
      } catch (IOException e) {
        // the server closed the connection while the flood was still being written
      }
      goAway = untilClosed(h2);
      System.out.printf("[h2] rapid reset: GOAWAY error code %d%n", goAway);
      assertThat(goAway).isEqualTo(RawHttp2.ENHANCE_YOUR_CALM);
    }
    // and the server still serves others
    assertThat(fixture.anonymous().build().get("/healthz").status()).isEqualTo(200);
  }
}
