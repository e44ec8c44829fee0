package io.dnsupdate.webhook.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.testkit.IssuedCertificate;
import io.dnsupdate.testkit.TestPki;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReloadingKeyManagerTest {
  private static final TestPki CA = TestPki.newCa("serving-ca");

  @TempDir Path dir;

  private IssuedCertificate write(IssuedCertificate pair) {
    pair.writeChainPem(dir.resolve("tls.crt"));
    pair.writeKeyPem(dir.resolve("tls.key"));
    return pair;
  }

  private static IssuedCertificate issue() {
    return CA.issueServer("dnsupdate-webhook", List.of("localhost"), List.of("127.0.0.1"));
  }

  @Test
  void aHandshakeThatChoseAPairGetsItsChainAndKeyEvenAfterAReload() {
    IssuedCertificate old = write(issue());
    ReloadingKeyManager keys =
        ReloadingKeyManager.load(
            dir.resolve("tls.crt"), dir.resolve("tls.key"), null, Duration.ofHours(1), null);
    String chosen = keys.chooseServerAlias("EC", null, null);

    IssuedCertificate renewed = write(issue());
    assertThat(keys.reload()).isNull();

    assertThat(keys.getCertificateChain(chosen)[0]).isEqualTo(old.certificate());
    assertThat(keys.getPrivateKey(chosen)).isEqualTo(old.privateKey());
    String next = keys.chooseServerAlias("EC", null, null);
    assertThat(next).isNotEqualTo(chosen);
    assertThat(keys.getCertificateChain(next)[0]).isEqualTo(renewed.certificate());
    assertThat(keys.getPrivateKey(next)).isEqualTo(renewed.privateKey());
  }

  @Test
  void onlyTheLastFewPairsStayResolvable() {
    write(issue());
    ReloadingKeyManager keys =
        ReloadingKeyManager.load(
            dir.resolve("tls.crt"), dir.resolve("tls.key"), null, Duration.ofHours(1), null);
    String first = keys.chooseServerAlias("EC", null, null);
    for (int i = 0; i < 4; i++) {
      write(issue());
      keys.reload();
    }

    assertThat(keys.getPrivateKey(first)).isNull();
    assertThat(keys.getPrivateKey(keys.chooseServerAlias("EC", null, null))).isNotNull();
    assertThat(keys.chooseServerAlias("RSA", null, null)).as("the key is EC").isNull();
  }
}
