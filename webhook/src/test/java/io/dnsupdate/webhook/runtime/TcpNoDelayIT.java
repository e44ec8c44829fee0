package io.dnsupdate.webhook.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.webhook.WebhookFixture;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The HTTPS endpoint's accepted sockets have TCP_NODELAY on, read from the sockets themselves: with
 * Nagle's algorithm, an answer written as headers and body waits ~40 ms for the client's delayed
 * ACK, which was most of a challenge's latency before.
 */
class TcpNoDelayIT {
  @Test
  void everyAcceptedConnectionHasNagleOff() {
    try (WebhookFixture fixture = WebhookFixture.start(List.of())) {
      var client = fixture.certManager();
      assertThat(client.get("/healthz").status()).isEqualTo(200); // a kept-alive connection

      assertThat(fixture.webhook.endpoint().openConnectionsNoDelay())
          .isNotEmpty()
          .containsOnly(true);
    }
  }
}
