package io.dnsupdate.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TsigCredentialsTest {
  // tsig-keygen -a hmac-sha256 output, test-only
  private static final String BIND_SECRET = "hYm1DVzsYJUdOZsE1w9THNvzMzVKZ5hGnIqMOAJ/BsY=";

  @Test
  void acceptsBindBase64AndNeverShowsTheSecret() {
    TsigCredentials key =
        TsigCredentials.fromBase64("acme-key", TsigAlgorithm.HMAC_SHA256, BIND_SECRET);

    assertThat(key.keyName().toString()).isEqualTo("acme-key.");
    assertThat(key.secretBase64()).isEqualTo(BIND_SECRET);
    assertThat(key.toString())
        .contains("acme-key.", "hmac-sha256", "sha256:")
        .doesNotContain(BIND_SECRET)
        .doesNotContain(BIND_SECRET.substring(0, 10));
  }

  @Test
  void fingerprintIsStableAndDistinguishesKeys() {
    TsigCredentials a = TsigCredentials.fromBase64("k", TsigAlgorithm.HMAC_SHA256, BIND_SECRET);
    TsigCredentials b = TsigCredentials.fromBase64("k", TsigAlgorithm.HMAC_SHA256, BIND_SECRET);
    TsigCredentials c =
        TsigCredentials.generate("k", TsigAlgorithm.HMAC_SHA256, new SecureRandom());

    assertThat(a.fingerprint()).isEqualTo(b.fingerprint()).matches("sha256:[0-9a-f]{16}");
    assertThat(c.fingerprint()).isNotEqualTo(a.fingerprint());
    assertThat(a).isEqualTo(b).isNotEqualTo(c);
  }

  @ParameterizedTest
  @EnumSource(
      value = TsigAlgorithm.class,
      names = {"HMAC_SHA256", "HMAC_SHA384", "HMAC_SHA512"})
  void generatedKeysAreAsLongAsTheHmacOutput(TsigAlgorithm algorithm) {
    TsigCredentials key = TsigCredentials.generate("k.", algorithm, new SecureRandom());

    assertThat(Base64.getDecoder().decode(key.secretBase64())).hasSize(algorithm.outputLength());
  }

  @Test
  void doubleEncodedSecretIsExplained() {
    String twice =
        Base64.getEncoder().encodeToString(BIND_SECRET.getBytes(StandardCharsets.US_ASCII));

    assertThatThrownBy(() -> TsigCredentials.fromBase64("k", TsigAlgorithm.HMAC_SHA256, twice))
        .isInstanceOf(InvalidTsigKeyException.class)
        .hasMessageContaining("base64-encoded twice")
        .hasMessageContaining("stringData")
        .message()
        .doesNotContain(twice)
        .doesNotContain(BIND_SECRET);
  }

  @Test
  void shortSecretIsRefusedWithTheRequiredLength() {
    String sixteen = Base64.getEncoder().encodeToString(new byte[16]);

    assertThatThrownBy(() -> TsigCredentials.fromBase64("k", TsigAlgorithm.HMAC_SHA256, sixteen))
        .isInstanceOf(InvalidTsigKeyException.class)
        .hasMessageContaining("16 bytes, at least 32 needed")
        .hasMessageContaining("tsig-keygen -a hmac-sha256");
  }

  @Test
  void sha512NeedsSixtyFourBytes() {
    assertThatThrownBy(
            () -> TsigCredentials.fromBase64("k", TsigAlgorithm.HMAC_SHA512, BIND_SECRET))
        .isInstanceOf(InvalidTsigKeyException.class)
        .hasMessageContaining("at least 64");
  }

  @Test
  void notBase64IsRefusedWithoutEchoingIt() {
    assertThatThrownBy(
            () -> TsigCredentials.fromBase64("k", TsigAlgorithm.HMAC_SHA256, "s3cr3t!pass word"))
        .isInstanceOf(InvalidTsigKeyException.class)
        .hasMessageContaining("not valid base64")
        .message()
        .doesNotContain("s3cr3t");
  }

  @Test
  void badKeyNameIsRefused() {
    assertThatThrownBy(
            () -> TsigCredentials.fromBase64("bad..name", TsigAlgorithm.HMAC_SHA256, BIND_SECRET))
        .isInstanceOf(InvalidTsigKeyException.class)
        .hasMessageContaining("not a valid domain name");
  }
}
