package io.dnsupdate.webhook.server;

import static io.dnsupdate.webhook.WebhookFixture.json;
import static io.dnsupdate.webhook.WebhookFixture.payload;
import static io.dnsupdate.webhook.WebhookFixture.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dnsupdate.testkit.NamedExtension;
import io.dnsupdate.testkit.NamedServer;
import io.dnsupdate.testkit.TestKeys;
import io.dnsupdate.testkit.k8s.FrontProxyClient;
import io.dnsupdate.testkit.k8s.HeldConnections;
import io.dnsupdate.testkit.k8s.HeldConnections.Kind;
import io.dnsupdate.webhook.WebhookFixture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Slow and hostile connections hold no thread: with 1,000 of them open (silent, half a TLS
 * handshake, half the headers, a stalled body), an authorized Present and {@code /healthz} are
 * still answered within a second; and the deadlines close such connections.
 */
@ExtendWith(NamedExtension.class)
class HeldConnectionsIT {
  static final String NS = "held";
  static final String FQDN = "_acme-challenge.example.test.";

  /** What "served at once" means here: far above a local answer, far below any timeout. */
  static final Duration SERVED_WITHIN = Duration.ofSeconds(1);

  private final List<HeldConnections> held = new ArrayList<>();
  private WebhookFixture fixture;

  @AfterEach
  void stop() {
    held.forEach(HeldConnections::close);
    if (fixture != null) {
      fixture.close();
    }
  }

  private InetSocketAddress address() {
    return new InetSocketAddress("127.0.0.1", fixture.webhook.port());
  }

  private String stalledHead() {
    return "POST "
        + FrontProxyClient.CHALLENGE_PATH
        + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Remote-User: "
        + WebhookFixture.CERT_MANAGER;
  }

  @Test
  void aThousandHeldConnectionsDelayNeitherAPresentNorHealth(NamedServer named) {
    HeldConnections.requireFileDescriptors(2 * 1000 + 500);
    // deadlines far away: this is about serving others while the connections are held
    fixture =
        WebhookFixture.start(
            List.of("--handshake-timeout=5m", "--header-timeout=5m", "--body-timeout=5m"));
    fixture.createKey(NS, "acme", TestKeys.ACME);
    fixture.createIssuer(NS, "example-test", WebhookFixture.spec(named, "acme"));
    var tls = fixture.servingCa.sslContext();
    var withCert = fixture.frontProxyCert.sslContext(fixture.servingCa);
    // one challenge first, so the figure below is about the held connections, not the first
    // use of the DNS path (class loading, the key Secret read, the first nameserver connection)
    String warm = token();
    FrontProxyClient warmUp = fixture.certManager();
    warmUp.postChallenge(payload("Present", NS, "example-test", FQDN, warm));
    warmUp.postChallenge(payload("CleanUp", NS, "example-test", FQDN, warm));
    held.add(HeldConnections.open(address(), Kind.SILENT, 250, null, null));
    held.add(HeldConnections.open(address(), Kind.PARTIAL_HANDSHAKE, 250, null, null));
    held.add(HeldConnections.open(address(), Kind.PARTIAL_HEADERS, 250, tls, null));
    held.add(HeldConnections.open(address(), Kind.STALLED_BODY, 250, withCert, stalledHead()));

    String value = token();
    FrontProxyClient certManager = fixture.certManager(); // a new connection, handshake included
    long t0 = System.nanoTime();
    FrontProxyClient.Response present =
        certManager.postChallenge(payload("Present", NS, "example-test", FQDN, value));
    Duration presentTook = Duration.ofNanos(System.nanoTime() - t0);
    long t1 = System.nanoTime();
    FrontProxyClient.Response health = fixture.anonymous().build().get("/healthz");
    Duration healthTook = Duration.ofNanos(System.nanoTime() - t1);

    assertThat(present.status()).isEqualTo(201);
    assertThat(json(present.body()).at("/response/success").asBoolean()).isTrue();
    assertThat(named.txt(FQDN)).contains(value);
    assertThat(health.status()).isEqualTo(200);
    assertThat(presentTook).isLessThan(SERVED_WITHIN);
    assertThat(healthTook).isLessThan(SERVED_WITHIN);
    // and the connections were really held all along
    assertThat(held.stream().mapToInt(HeldConnections::stillOpen).sum()).isEqualTo(1000);

    certManager.postChallenge(payload("CleanUp", NS, "example-test", FQDN, value));
  }

  /** A kept-alive connection that got its answer and then sends nothing more. */
  private SSLSocket answeredThenIdle(SSLContext tls) throws IOException {
    SSLSocket s =
        (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", fixture.webhook.port());
    s.getOutputStream()
        .write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    s.getOutputStream().flush();
    byte[] buf = new byte[4096];
    String head = new String(buf, 0, s.getInputStream().read(buf), StandardCharsets.US_ASCII);
    assertThat(head).startsWith("HTTP/1.1 200");
    assertThat(head).doesNotContainIgnoringCase("Connection: close");
    s.setSoTimeout(20_000);
    return s;
  }

  @Test
  void deadlinesCloseHeldConnections() throws IOException {
    fixture =
        WebhookFixture.start(
            List.of(
                "--handshake-timeout=1s",
                "--header-timeout=1s",
                "--body-timeout=1s",
                "--idle-timeout=2s"));
    var tls = fixture.servingCa.sslContext();
    var withCert = fixture.frontProxyCert.sslContext(fixture.servingCa);
    List<HeldConnections> kinds =
        List.of(
            HeldConnections.open(address(), Kind.SILENT, 5, null, null),
            HeldConnections.open(address(), Kind.PARTIAL_HANDSHAKE, 5, null, null),
            HeldConnections.open(address(), Kind.PARTIAL_HEADERS, 5, tls, null),
            HeldConnections.open(address(), Kind.STALLED_BODY, 5, withCert, stalledHead()));
    held.addAll(kinds);
    SSLSocket keptAlive = answeredThenIdle(tls);

    await("the server closes every held connection")
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(
            () -> {
              for (HeldConnections h : kinds) {
                assertThat(h.stillOpen()).isZero();
              }
              assertThat(keptAlive.getInputStream().read()).isEqualTo(-1);
            });
    keptAlive.close();
    // the server still serves
    assertThat(fixture.anonymous().build().get("/healthz").status()).isEqualTo(200);
  }
}
