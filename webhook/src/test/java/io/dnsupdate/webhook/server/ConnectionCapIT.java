package io.dnsupdate.webhook.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.webhook.WebhookFixture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * {@code --max-connections} counts TCP connections whatever protocol ALPN chose: with the cap
 * reached by HTTP/2 and HTTP/1.1 connections, another one is not served (it waits in the kernel's
 * backlog) until one of them closes.
 */
class ConnectionCapIT {
  static final int CAP = 4;

  /** How long a connection beyond the cap is watched not to be served. */
  static final Duration NOT_SERVED_FOR = Duration.ofSeconds(1);

  private final List<AutoCloseable> open = new ArrayList<>();
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

  private InetSocketAddress address() {
    return new InetSocketAddress("127.0.0.1", fixture.webhook.port());
  }

  /** An HTTP/1.1 connection that got its /healthz answer and stays open. */
  private SSLSocket http11() throws IOException {
    SSLSocket s =
        (SSLSocket)
            fixture
                .servingCa
                .sslContext()
                .getSocketFactory()
                .createSocket("127.0.0.1", fixture.webhook.port());
    s.setSoTimeout(10_000);
    s.getOutputStream()
        .write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    s.getOutputStream().flush();
    byte[] buf = new byte[4096];
    assertThat(new String(buf, 0, s.getInputStream().read(buf), StandardCharsets.US_ASCII))
        .startsWith("HTTP/1.1 200");
    return s;
  }

  /** An HTTP/2 connection past its preface and the server's SETTINGS. */
  private RawHttp2 http2() throws IOException {
    RawHttp2 h2 = RawHttp2.connect(address(), fixture.servingCa.sslContext());
    h2.preface();
    assertThat(h2.read(Duration.ofSeconds(10)).type()).isEqualTo(RawHttp2.SETTINGS);
    return h2;
  }

  @Test
  void http2AndHttp11ConnectionsCountAgainstTheCap() throws Exception {
    // deadlines far away: the held connections must stay open for the length of the test
    fixture =
        WebhookFixture.start(
            List.of(
                "--max-connections=" + CAP,
                "--header-timeout=5m",
                "--idle-timeout=5m",
                "--body-timeout=5m"));
    open.add(http2());
    open.add(http2());
    open.add(http11());
    SSLSocket last = http11();
    open.add(last);

    CompletableFuture<Void> beyond =
        CompletableFuture.runAsync(unchecked(() -> open.add(http11())));
    try {
      beyond.get(NOT_SERVED_FOR.toMillis(), TimeUnit.MILLISECONDS);
      throw new AssertionError("a connection beyond the cap of " + CAP + " was served");
    } catch (TimeoutException expected) {
      // waiting in the backlog, as it should
    }
    last.close();
    beyond.get(10, TimeUnit.SECONDS); // served once one of the others closed
  }

  private static Runnable unchecked(Executable e) {
    return () -> {
      try {
        e.execute();
      } catch (Throwable t) {
        throw new IllegalStateException(t);
      }
    };
  }
}
