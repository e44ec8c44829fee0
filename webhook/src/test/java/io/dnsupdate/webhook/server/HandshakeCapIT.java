package io.dnsupdate.webhook.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.testkit.k8s.HeldConnections;
import io.dnsupdate.testkit.k8s.HeldConnections.Kind;
import io.dnsupdate.webhook.WebhookFixture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code --max-handshakes} counts handshakes the server has answered and that have not ended: with
 * the cap held by clients that sent a ClientHello, got the server's answer and went silent, another
 * client's handshake waits until one of them closes, or until their place has been held for a tenth
 * of the handshake timeout. Connections that send nothing or half a ClientHello, and connections
 * through their handshake, hold no place.
 */
class HandshakeCapIT {
  static final int CAP = 2;

  /** How long a handshake beyond the cap is watched not to be served. */
  static final Duration NOT_SERVED_FOR = Duration.ofSeconds(1);

  private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();
  private WebhookFixture fixture;

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
    if (fixture != null) {
      fixture.close();
    }
  }

  /** Deadlines far away unless given: held connections stay for the length of the test. */
  private void start(String handshakeTimeout) {
    fixture =
        WebhookFixture.start(
            List.of(
                "--max-handshakes=" + CAP,
                "--handshake-timeout=" + handshakeTimeout,
                "--header-timeout=5m",
                "--idle-timeout=5m",
                "--body-timeout=5m"));
  }

  private InetSocketAddress address() {
    return new InetSocketAddress("127.0.0.1", fixture.webhook.port());
  }

  /**
   * A client that sends its ClientHello, reads the start of the server's answer (so the server
   * holds a place for it) and sends nothing more.
   */
  private Socket answeredThenSilent() throws IOException {
    SSLEngine engine =
        fixture.servingCa.sslContext().createSSLEngine("127.0.0.1", fixture.webhook.port());
    engine.setUseClientMode(true);
    engine.beginHandshake();
    ByteBuffer hello = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
    engine.wrap(ByteBuffer.allocate(0), hello);
    hello.flip();
    Socket s = new Socket("127.0.0.1", fixture.webhook.port());
    open.add(s);
    s.setSoTimeout(10_000);
    s.getOutputStream().write(hello.array(), 0, hello.limit());
    s.getOutputStream().flush();
    assertThat(s.getInputStream().read())
        .as("a TLS handshake record from the server")
        .isEqualTo(22);
    return s;
  }

  /** An HTTP/1.1 connection that got its /healthz answer and stays open. */
  private SSLSocket served() {
    try {
      SSLSocket s =
          (SSLSocket)
              fixture
                  .servingCa
                  .sslContext()
                  .getSocketFactory()
                  .createSocket("127.0.0.1", fixture.webhook.port());
      open.add(s);
      s.setSoTimeout(30_000);
      s.getOutputStream()
          .write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      byte[] buf = new byte[4096];
      assertThat(new String(buf, 0, s.getInputStream().read(buf), StandardCharsets.US_ASCII))
          .startsWith("HTTP/1.1 200");
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void answeredHandshakesAtTheCapHoldOffTheNextUntilOneCloses() throws Exception {
    start("5m"); // a place is held for at most 30 s
    Socket first = answeredThenSilent();
    for (int i = 1; i < CAP; i++) {
      answeredThenSilent();
    }
    CompletableFuture<SSLSocket> beyond = CompletableFuture.supplyAsync(this::served);
    try {
      beyond.get(NOT_SERVED_FOR.toMillis(), TimeUnit.MILLISECONDS);
      throw new AssertionError("a handshake beyond " + CAP + " under way was served");
    } catch (TimeoutException expected) {
      // its ClientHello waits unread, as it should
    }
    first.close();
    beyond.get(10, TimeUnit.SECONDS); // served once a place is free
  }

  @Test
  void aStalledHandshakeKeepsItsPlaceForATenthOfTheHandshakeTimeoutOnly() throws Exception {
    start("10s"); // a place is held for at most 1 s
    for (int i = 0; i < CAP; i++) {
      answeredThenSilent();
    }
    // served while the stalled ones are still open (the handshake timeout closes them at 10 s)
    CompletableFuture.supplyAsync(this::served).get(8, TimeUnit.SECONDS);
  }

  @Test
  void silentHalfHelloAndServedConnectionsHoldNoPlace() throws Exception {
    start("5m");
    open.add(HeldConnections.open(address(), Kind.SILENT, 5 * CAP, null, null)::close);
    open.add(HeldConnections.open(address(), Kind.PARTIAL_HANDSHAKE, 5 * CAP, null, null)::close);
    for (int i = 0; i < 3 * CAP; i++) {
      // each stays open after its answer; with places held, the next would wait for 30 s
      CompletableFuture.supplyAsync(this::served).get(10, TimeUnit.SECONDS);
    }
  }
}
