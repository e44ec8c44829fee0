package io.dnsupdate.webhook.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dnsupdate.testkit.IssuedCertificate;
import io.dnsupdate.testkit.TestPki;
import io.dnsupdate.webhook.WebhookFixture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** cert-manager renews the serving certificate; the webhook serves the new one, no restart. */
class TlsReloadTest {
  static WebhookFixture fixture;

  @BeforeAll
  static void start() {
    fixture = WebhookFixture.start();
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  /** The certificate a fresh TLS connection gets. */
  static BigInteger servedSerial() {
    try (SSLSocket s =
        (SSLSocket)
            fixture
                .servingCa
                .sslContext()
                .getSocketFactory()
                .createSocket("127.0.0.1", fixture.webhook.port())) {
      s.startHandshake();
      return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes a file next to the target and moves it in, as the kubelet swaps Secret files. */
  static void replace(Path target, String content) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".new");
    Files.writeString(tmp, content);
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  static IssuedCertificate newServing() {
    return fixture.servingCa.issueServer(
        "dnsupdate-webhook", List.of("localhost"), List.of("127.0.0.1"));
  }

  @Test
  void renewedCertificateIsServedWithoutRestart() throws Exception {
    BigInteger before = servedSerial();
    IssuedCertificate renewed = newServing();

    replace(fixture.dir.resolve("tls.key"), renewed.privateKeyPem());
    replace(fixture.dir.resolve("tls.crt"), renewed.chainPem());

    await("the renewed certificate is served")
        .atMost(Duration.ofSeconds(10))
        .until(() -> servedSerial().equals(renewed.certificate().getSerialNumber()));
    assertThat(before).isNotEqualTo(renewed.certificate().getSerialNumber());
    // health probes and callers keep working on new connections
    assertThat(fixture.anonymous().build().get("/healthz", null).status()).isEqualTo(200);
    assertThat(fixture.certManager().get("/apis").status()).isEqualTo(200);
  }

  @Test
  void halfWrittenPairKeepsThePreviousCertificate() throws Exception {
    BigInteger before = servedSerial();
    IssuedCertificate renewed = newServing();

    // the certificate first, the key a little later: in between the pair does not match
    replace(fixture.dir.resolve("tls.crt"), renewed.chainPem());
    await().pollDelay(Duration.ofMillis(1200)).atMost(Duration.ofSeconds(5)).until(() -> true);
    assertThat(servedSerial()).isEqualTo(before);

    replace(fixture.dir.resolve("tls.key"), renewed.privateKeyPem());
    await("the completed pair is served")
        .atMost(Duration.ofSeconds(10))
        .until(() -> servedSerial().equals(renewed.certificate().getSerialNumber()));
  }

  @Test
  void aCertificateFromAnotherCaIsServedToo() throws Exception {
    TestPki otherCa = TestPki.newCa("rotated serving CA");
    IssuedCertificate other =
        otherCa.issueServer("dnsupdate-webhook", List.of("localhost"), List.of("127.0.0.1"));
    try {
      replace(fixture.dir.resolve("tls.key"), other.privateKeyPem());
      replace(fixture.dir.resolve("tls.crt"), other.chainPem());

      await("the keyManager holds the new certificate")
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> {
                servedSerialQuietly();
                return fixture
                    .webhook
                    .keyManager()
                    .current()
                    .leaf()
                    .getSerialNumber()
                    .equals(other.certificate().getSerialNumber());
              });
    } finally {
      IssuedCertificate back = newServing();
      replace(fixture.dir.resolve("tls.key"), back.privateKeyPem());
      replace(fixture.dir.resolve("tls.crt"), back.chainPem());
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> servedSerialQuietly().equals(back.certificate().getSerialNumber()));
    }
  }

  /** Triggers a handshake; a client that does not trust the served CA fails, which is fine. */
  static BigInteger servedSerialQuietly() {
    try {
      return servedSerial();
    } catch (UncheckedIOException e) {
      return BigInteger.ZERO;
    }
  }
}
