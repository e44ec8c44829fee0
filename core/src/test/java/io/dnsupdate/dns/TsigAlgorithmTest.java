package io.dnsupdate.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TsigAlgorithmTest {
  @ParameterizedTest
  @CsvSource({
    "hmac-sha256, HMAC_SHA256",
    "HMAC-SHA384, HMAC_SHA384",
    "hmac-sha512., HMAC_SHA512",
    "'', HMAC_SHA256"
  })
  void parsesBindNames(String text, TsigAlgorithm expected) {
    assertThat(TsigAlgorithm.parse(text, false)).isEqualTo(expected);
  }

  @Test
  void legacyAlgorithmsNeedExplicitConsent() {
    assertThatThrownBy(() -> TsigAlgorithm.parse("hmac-md5", false))
        .hasMessageContaining("weak and refused by default");
    assertThatThrownBy(() -> TsigAlgorithm.parse("hmac-sha1", false))
        .hasMessageContaining("weak and refused by default");
    assertThat(TsigAlgorithm.parse("hmac-md5.sig-alg.reg.int", true))
        .isEqualTo(TsigAlgorithm.HMAC_MD5);
  }

  @Test
  void unknownAlgorithmListsTheKnownOnes() {
    assertThatThrownBy(() -> TsigAlgorithm.parse("hmac-sha3", true))
        .hasMessageContaining("unknown TSIG algorithm 'hmac-sha3'")
        .hasMessageContaining("hmac-sha256, hmac-sha384, hmac-sha512");
  }
}
