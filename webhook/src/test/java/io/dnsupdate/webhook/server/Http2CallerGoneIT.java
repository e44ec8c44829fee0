package io.dnsupdate.webhook.server;

import static io.dnsupdate.webhook.WebhookFixture.payload;
import static io.dnsupdate.webhook.WebhookFixture.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dnsupdate.api.DnsUpdateIssuerSpec;
import io.dnsupdate.testkit.HoldingDnsProxy;
import io.dnsupdate.testkit.NamedExtension;
import io.dnsupdate.testkit.NamedServer;
import io.dnsupdate.testkit.TestKeys;
import io.dnsupdate.testkit.k8s.FrontProxyClient;
import io.dnsupdate.webhook.WebhookFixture;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A caller that goes over HTTP/2 while its Present still waits before its UPDATE — its stream
 * reset, as kube-apiserver's proxy resets it when cert-manager's request is cancelled, or its
 * connection dropped — gets no UPDATE sent: the zone lookup before the UPDATE is held by a DNS
 * forwarder in front of named until the webhook has given the challenge up, so the order of events
 * is fixed, not raced. The forwarder sees every message the webhook sends to the nameserver.
 */
@ExtendWith(NamedExtension.class)
class Http2CallerGoneIT {
  static final String NS = "gone";
  static final String ISSUER = "via-proxy";

  /** Far longer than noticing a reset takes (milliseconds), far shorter than the 55 s budget. */
  static final Duration NOTICED_WITHIN = Duration.ofSeconds(10);

  static WebhookFixture fixture;
  static HoldingDnsProxy proxy;

  /** How the caller goes. */
  enum Going {
    STREAM_RESET,
    CONNECTION_CLOSED
  }

  @BeforeAll
  static void start(NamedServer named) throws IOException {
    proxy = new HoldingDnsProxy(new InetSocketAddress(named.address(), named.port()));
    fixture = WebhookFixture.start();
    fixture.createKey(NS, "acme", TestKeys.ACME);
    DnsUpdateIssuerSpec spec = WebhookFixture.spec(named, "acme");
    // no zone given: the webhook looks it up by SOA query first, which the forwarder can hold
    spec.setZone(null);
    spec.setNameservers(List.of("127.0.0.1:" + proxy.port()));
    fixture.createIssuer(NS, ISSUER, spec);
  }

  @AfterAll
  static void stop() {
    if (fixture != null) {
      fixture.close();
    }
    if (proxy != null) {
      proxy.close();
    }
  }

  private static double abandoned() {
    Counter c =
        fixture
            .webhook
            .metrics()
            .registry()
            .find("dnsupdate.webhook.challenge.failures")
            .tag("reason", "Abandoned")
            .counter();
    return c == null ? 0 : c.count();
  }

  @ParameterizedTest
  @EnumSource(Going.class)
  void aCallerGoneBeforeTheUpdateGetsNoUpdate(Going going, NamedServer named) throws Exception {
    // a name of its own per case: its zone is not cached yet, so the lookup happens and is held
    String fqdn =
        going == Going.STREAM_RESET
            ? "_acme-challenge.a.example.test."
            : "_acme-challenge.a.b.example.test.";
    String value = token();
    double abandonedBefore = abandoned();
    int updatesBefore = proxy.updates();
    byte[] body = payload("Present", NS, ISSUER, fqdn, value).getBytes(StandardCharsets.UTF_8);

    proxy.holdNextQuery();
    RawHttp2 h2 =
        RawHttp2.connect(
            new InetSocketAddress("127.0.0.1", fixture.webhook.port()),
            fixture.frontProxyCert.sslContext(fixture.servingCa));
    try {
      h2.preface();
      h2.headers(1, Http2IT.challengeHeaders(fixture.webhook.port(), body.length), false);
      h2.data(1, body, true);
      assertThat(proxy.awaitHeld(20)).as("the zone lookup reached the forwarder").isTrue();
      assertThat(fixture.webhook.challengesInProgress()).isEqualTo(1);

      long t0 = System.nanoTime();
      if (going == Going.STREAM_RESET) {
        h2.reset(1, RawHttp2.CANCEL);
      } else {
        h2.close();
      }
      // the lookup is still held: the challenge ends because its caller went, not because DNS
      // answered
      await("the webhook gives the challenge up")
          .atMost(NOTICED_WITHIN)
          .pollInterval(Duration.ofMillis(5))
          .until(() -> fixture.webhook.challengesInProgress() == 0);
      long noticedMillis = (System.nanoTime() - t0) / 1_000_000;
      System.out.printf(
          "[h2] %s noticed and the challenge given up in %d ms%n", going, noticedMillis);
    } finally {
      proxy.release();
      h2.close();
    }

    assertThat(abandoned()).isEqualTo(abandonedBefore + 1);
    // the control: the same Present from a caller that stays passes the forwarder as an UPDATE,
    // so the forwarder would have seen the abandoned one's
    String control = token();
    FrontProxyClient client =
        fixture
            .caller()
            .user(WebhookFixture.CERT_MANAGER)
            .groups("system:authenticated")
            .version(HttpClient.Version.HTTP_2)
            .build();
    FrontProxyClient.Response ok =
        client.postChallenge(payload("Present", NS, ISSUER, fqdn, control));
    assertThat(WebhookFixture.json(ok.body()).at("/response/success").asBoolean())
        .as(ok.body())
        .isTrue();
    assertThat(proxy.updates()).isEqualTo(updatesBefore + 1);
    assertThat(proxy.updatesWith(value)).isZero();
    List<String> zone = named.txt(fqdn);
    assertThat(zone).contains(control).doesNotContain(value);
    client.postChallenge(payload("CleanUp", NS, ISSUER, fqdn, control));
  }
}
