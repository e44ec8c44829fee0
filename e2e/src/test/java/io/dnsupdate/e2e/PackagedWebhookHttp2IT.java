package io.dnsupdate.e2e;

import static io.dnsupdate.e2e.PackagedWebhook.payload;
import static io.dnsupdate.e2e.PackagedWebhook.succeeded;
import static io.dnsupdate.e2e.PackagedWebhook.token;
import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.testkit.NamedExtension;
import io.dnsupdate.testkit.NamedServer;
import io.dnsupdate.testkit.ProcessMemory;
import io.dnsupdate.testkit.k8s.FrontProxyClient;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged webhook jar serves HTTP/2 as its image runs it — the HTTP/2 and ALPN jars in its
 * lib/ folder, found by their service files: ALPN chooses h2, a Present and CleanUp succeed over
 * it, and a connection that sends the HTTP/2 preface and no request is closed at {@code
 * HEADER_TIMEOUT}.
 */
@ExtendWith(NamedExtension.class)
class PackagedWebhookHttp2IT {
  @TempDir static Path work;
  static PackagedWebhook webhook;
  static URI uri;

  @BeforeAll
  static void start(NamedServer named) throws Exception {
    webhook = new PackagedWebhook(work, named);
    uri = webhook.launch(Map.of("HEADER_TIMEOUT", "1s"));
  }

  @AfterAll
  static void stop() {
    if (webhook != null) {
      webhook.close();
    }
  }

  @Test
  void presentAndCleanUpOverHttp2(NamedServer named) {
    FrontProxyClient h2 =
        FrontProxyClient.builder(uri, webhook.servingCa)
            .clientCertificate(webhook.frontProxyCert)
            .user(PackagedWebhook.CERT_MANAGER)
            .groups("system:serviceaccounts", "system:authenticated")
            .version(HttpClient.Version.HTTP_2)
            .build();
    String fqdn = "_acme-challenge.example.test.";
    String value = token();

    FrontProxyClient.Response present = h2.postChallenge(payload("Present", fqdn, value));
    assertThat(present.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(succeeded(present)).as(present.body()).isTrue();
    assertThat(named.txt(fqdn)).contains(value);
    assertThat(succeeded(h2.postChallenge(payload("CleanUp", fqdn, value)))).isTrue();
    assertThat(named.txt(fqdn)).doesNotContain(value);

    long pid = webhook.process().pid();
    System.out.printf(
        "[h2] packaged webhook after h2 challenges: RSS %d MiB, peak %d MiB, %d threads%n",
        ProcessMemory.rssMiB(pid), ProcessMemory.peakRssMiB(pid), ProcessMemory.threads(pid));
  }

  @Test
  void anHttp2PrefaceWithoutRequestIsClosedAtTheHeaderTimeout() throws Exception {
    try (SSLSocket s =
        (SSLSocket)
            webhook
                .servingCa
                .sslContext()
                .getSocketFactory()
                .createSocket("127.0.0.1", uri.getPort())) {
      SSLParameters p = s.getSSLParameters();
      p.setApplicationProtocols(new String[] {"h2"});
      s.setSSLParameters(p);
      s.startHandshake();
      assertThat(s.getApplicationProtocol()).isEqualTo("h2");
      long t0 = System.nanoTime();
      OutputStream out = s.getOutputStream();
      out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.write(new byte[] {0, 0, 0, 0x4, 0, 0, 0, 0, 0}); // an empty SETTINGS frame
      out.flush();
      s.setSoTimeout(10_000);
      InputStream in = s.getInputStream();
      byte[] buf = new byte[4096];
      try {
        while (in.read(buf) >= 0) {
          // the server's SETTINGS, then its GOAWAY
        }
      } catch (java.net.SocketException reset) {
        // closed with a reset: closed all the same
      }
      Duration took = Duration.ofNanos(System.nanoTime() - t0);
      System.out.printf(
          "[h2] packaged webhook closed a silent h2 connection after %d ms%n", took.toMillis());
      assertThat(took).isBetween(Duration.ofMillis(900), Duration.ofSeconds(10));
    }
  }
}
