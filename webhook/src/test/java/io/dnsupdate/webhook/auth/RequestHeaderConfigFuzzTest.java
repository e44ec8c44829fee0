package io.dnsupdate.webhook.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.dnsupdate.testkit.FuzzChecks;
import io.dnsupdate.testkit.TestPki;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Fuzzes ConfigMap {@code kube-system/extension-apiserver-authentication} as the webhook reads it:
 * an IllegalArgumentException with a printable message, or settings with a CA and at least one
 * user-name header, every header name non-blank.
 */
class RequestHeaderConfigFuzzTest {
  private static final String CA = TestPki.newCa("front-proxy-ca").certificatePem();

  private static final String[] KEYS = {
    RequestHeaderConfig.CLIENT_CA,
    RequestHeaderConfig.ALLOWED_NAMES,
    RequestHeaderConfig.USERNAME_HEADERS,
    RequestHeaderConfig.GROUP_HEADERS,
    RequestHeaderConfig.EXTRA_PREFIXES,
    RequestHeaderConfig.UID_HEADERS
  };

  @FuzzTest
  void fromConfigMapData(FuzzedDataProvider data) {
    Map<String, String> map = new HashMap<>();
    if (data.consumeBoolean()) {
      map.put(RequestHeaderConfig.CLIENT_CA, CA);
    }
    int count = data.consumeInt(0, 8);
    for (int i = 0; i < count; i++) {
      map.put(data.pickValue(KEYS), data.consumeString(200));
    }
    RequestHeaderConfig config;
    try {
      config = RequestHeaderConfig.fromConfigMapData(map);
    } catch (IllegalArgumentException e) {
      assertEquals(IllegalArgumentException.class, e.getClass());
      FuzzChecks.requireCleanMessage(e);
      return;
    }
    assertFalse(config.caCertificates().isEmpty());
    assertFalse(config.usernameHeaders().isEmpty());
    for (List<String> headers :
        List.of(
            config.usernameHeaders(),
            config.groupHeaders(),
            config.extraHeaderPrefixes(),
            config.uidHeaders())) {
      headers.forEach(h -> assertTrue(!h.isBlank() && h.equals(h.strip()), h));
    }
  }
}
