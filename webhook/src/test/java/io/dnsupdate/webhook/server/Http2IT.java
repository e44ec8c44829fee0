package io.dnsupdate.webhook.server;

import static io.dnsupdate.webhook.WebhookFixture.json;
import static io.dnsupdate.webhook.WebhookFixture.payload;
import static io.dnsupdate.webhook.WebhookFixture.token;
import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.testkit.NamedExtension;
import io.dnsupdate.testkit.NamedServer;
import io.dnsupdate.testkit.TestKeys;
import io.dnsupdate.testkit.k8s.FrontProxyClient;
import io.dnsupdate.webhook.WebhookFixture;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * HTTP/2 as kube-apiserver's aggregator speaks it: negotiated by ALPN, a Present and CleanUp over
 * it, HTTP/1.1 still served beside it, and the limits an HTTP/2 connection advertises (streams at
 * once, flow-control window) bounded by the webhook's own.
 */
@ExtendWith(NamedExtension.class)
class Http2IT {
  static final String NS = "h2";
  static final String ISSUER = "example-test";
  static final String FQDN = "_acme-challenge.example.test.";
  static final int MAX_CHALLENGES = 8;

  static WebhookFixture fixture;

  @BeforeAll
  static void start(NamedServer named) {
    fixture = WebhookFixture.start(List.of("--max-challenges=" + MAX_CHALLENGES));
    fixture.createKey(NS, "acme", TestKeys.ACME);
    fixture.createIssuer(NS, ISSUER, WebhookFixture.spec(named, "acme"));
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  /** kube-apiserver's proxied create of a ChallengePayload, as HTTP/2 header fields. */
  static List<String[]> challengeHeaders(int port, int contentLength) {
    List<String[]> h = new ArrayList<>();
    h.add(new String[] {":method", "POST"});
    h.add(new String[] {":scheme", "https"});
    h.add(new String[] {":authority", "127.0.0.1:" + port});
    h.add(new String[] {":path", FrontProxyClient.CHALLENGE_PATH});
    h.add(new String[] {"content-type", "application/json"});
    h.add(new String[] {"content-length", String.valueOf(contentLength)});
    h.add(new String[] {"x-remote-user", WebhookFixture.CERT_MANAGER});
    h.add(new String[] {"x-remote-group", "system:authenticated"});
    return h;
  }

  private static FrontProxyClient certManager(HttpClient.Version version) {
    return fixture
        .caller()
        .user(WebhookFixture.CERT_MANAGER)
        .groups("system:serviceaccounts", "system:authenticated")
        .version(version)
        .build();
  }

  private static double requests(String protocol) {
    return fixture
        .webhook
        .metrics()
        .registry()
        .find("dnsupdate.webhook.requests")
        .tag("protocol", protocol)
        .counters()
        .stream()
        .mapToDouble(c -> c.count())
        .sum();
  }

  @Test
  void presentAndCleanUpOverHttp2AndHttp11StillServed(NamedServer named) {
    FrontProxyClient h2 = certManager(HttpClient.Version.HTTP_2);
    String value = token();
    double h2Before = requests("h2");

    FrontProxyClient.Response present =
        h2.postChallenge(payload("Present", NS, ISSUER, FQDN, value));

    assertThat(present.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(present.status()).as(present.body()).isEqualTo(201);
    assertThat(json(present.body()).at("/response/success").asBoolean()).isTrue();
    assertThat(named.txt(FQDN)).contains(value);
    FrontProxyClient.Response cleanUp =
        h2.postChallenge(payload("CleanUp", NS, ISSUER, FQDN, value));
    assertThat(cleanUp.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(json(cleanUp.body()).at("/response/success").asBoolean()).isTrue();
    assertThat(named.txt(FQDN)).doesNotContain(value);
    assertThat(requests("h2")).isEqualTo(h2Before + 2);

    // errors over HTTP/2 are Kubernetes Status objects too
    FrontProxyClient.Response missing = h2.get("/apis/acme.dnsupdate.io/v1alpha1/nothing");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(json(missing.body()).at("/kind").asText()).isEqualTo("Status");

    FrontProxyClient h1 = certManager(HttpClient.Version.HTTP_1_1);
    FrontProxyClient.Response discovery = h1.get("/apis/acme.dnsupdate.io/v1alpha1");
    assertThat(discovery.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    assertThat(discovery.status()).isEqualTo(200);
  }

  @Test
  void anHttp2ConnectionAdvertisesBoundedStreamsAndWindows() throws Exception {
    try (RawHttp2 h2 =
        RawHttp2.connect(
            new InetSocketAddress("127.0.0.1", fixture.webhook.port()),
            fixture.servingCa.sslContext())) {
      h2.preface();
      RawHttp2.Frame settings = h2.read(Duration.ofSeconds(5));
      assertThat(settings.type()).isEqualTo(RawHttp2.SETTINGS);
      Map<Integer, Long> s = settings.settings();
      // a stream per worker thread: the challenge slots and the reserve for health and discovery
      assertThat(s.get(RawHttp2.SETTINGS_MAX_CONCURRENT_STREAMS))
          .isEqualTo((long) MAX_CHALLENGES + ServingLimits.RESERVED_THREADS);
      // one largest ChallengePayload per stream, not Jetty's 512 KiB
      assertThat(s.get(RawHttp2.SETTINGS_INITIAL_WINDOW_SIZE)).isEqualTo((long) Router.MAX_BODY);
    }
  }

  /**
   * The server's cipher order decides, ChaCha20-Poly1305 first (C1 runs AES-GCM as plain Java),
   * over TLS 1.3 and 1.2, for a client that lists AES-GCM first as the JDK's and Go's do; a client
   * without ChaCha20 still gets AES-GCM.
   */
  @ParameterizedTest
  @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
  void theServerPrefersChaCha20WhereTheClientOffersIt(String protocol) throws Exception {
    assertThat(negotiated(protocol, false)).contains("CHACHA20_POLY1305");
    assertThat(negotiated(protocol, true)).contains("AES").contains("GCM");
  }

  private static String negotiated(String protocol, boolean withoutChaCha) throws Exception {
    SSLSocketFactory factory = fixture.servingCa.sslContext().getSocketFactory();
    try (SSLSocket socket = (SSLSocket) factory.createSocket("127.0.0.1", fixture.webhook.port())) {
      socket.setSoTimeout(5_000);
      socket.setEnabledProtocols(new String[] {protocol});
      List<String> suites = new ArrayList<>(List.of(socket.getEnabledCipherSuites()));
      assertThat(suites.indexOf(suites.stream().filter(c -> c.contains("GCM")).findFirst().get()))
          .as("the client lists AES-GCM before ChaCha20")
          .isLessThan(
              suites.indexOf(
                  suites.stream().filter(c -> c.contains("CHACHA20")).findFirst().get()));
      if (withoutChaCha) {
        suites.removeIf(c -> c.contains("CHACHA20"));
      }
      socket.setEnabledCipherSuites(suites.toArray(String[]::new));
      SSLParameters params = socket.getSSLParameters();
      params.setApplicationProtocols(new String[] {"h2", "http/1.1"});
      socket.setSSLParameters(params);
      socket.startHandshake();
      assertThat(socket.getSession().getProtocol()).isEqualTo(protocol);
      return socket.getSession().getCipherSuite();
    }
  }
}
