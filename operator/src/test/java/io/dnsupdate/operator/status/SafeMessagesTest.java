package io.dnsupdate.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.dns.TsigAlgorithm;
import io.dnsupdate.dns.TsigCredentials;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class SafeMessagesTest {
  @Test
  void removesAnyQuotedSecret() {
    TsigCredentials key =
        TsigCredentials.generate("k.", TsigAlgorithm.HMAC_SHA256, new SecureRandom());

    String out = SafeMessages.of("oops: secret \"" + key.secretBase64() + "\" leaked", key, null);

    assertThat(out).doesNotContain(key.secretBase64()).contains("<redacted>");
  }

  @Test
  void boundsTheLength() {
    assertThat(SafeMessages.truncate("x".repeat(5000)))
        .hasSize(SafeMessages.MAX_LENGTH)
        .endsWith("...");
    assertThat(SafeMessages.truncate(null)).isEmpty();
  }
}
