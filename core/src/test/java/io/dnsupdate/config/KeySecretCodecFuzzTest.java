package io.dnsupdate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.dnsupdate.api.ApiConstants;
import io.dnsupdate.testkit.FuzzChecks;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Fuzzes reading a key Secret: whatever its {@code data} and {@code stringData} hold, the answer is
 * a key that survives a write and read back, or an {@link InvalidKeySecretException} whose message
 * is printable and quotes no secret. Every secret value carries {@link #CANARY}, so a message
 * holding it has echoed a secret.
 */
class KeySecretCodecFuzzTest {
  /** Planted in every secret value (base64 characters, so it can be part of a valid key). */
  static final String CANARY = "Cq7nRy9xSeCr3t";

  private static final String[] FIELDS = {
    ApiConstants.SECRET_KEY_NAME,
    ApiConstants.SECRET_ALGORITHM,
    ApiConstants.SECRET_SECRET,
    ApiConstants.SECRET_PREVIOUS_SECRET,
    ApiConstants.SECRET_PREVIOUS_EXPIRES_AT
  };

  @FuzzTest
  void decode(FuzzedDataProvider data) {
    Map<String, String> base64Data = new HashMap<>();
    Map<String, String> stringData = new HashMap<>();
    List<String> secrets = new ArrayList<>(List.of(CANARY));
    int count = data.consumeInt(0, 8);
    for (int i = 0; i < count; i++) {
      String field = data.consumeBoolean() ? data.pickValue(FIELDS) : data.consumeString(20);
      String value = data.consumeString(200);
      if (field.equals(ApiConstants.SECRET_SECRET)
          || field.equals(ApiConstants.SECRET_PREVIOUS_SECRET)) {
        value = value + CANARY + data.consumeString(100);
      }
      switch (data.consumeInt(0, 2)) {
        case 0 -> stringData.put(field, value);
        case 1 -> {
          String encoded = base64(value);
          secrets.add(encoded.length() >= 16 ? encoded : null);
          base64Data.put(field, encoded);
        }
        default -> base64Data.put(field, value); // not necessarily base64
      }
    }

    KeyMaterial key;
    try {
      key = KeySecretCodec.decode(base64Data, stringData);
    } catch (InvalidKeySecretException e) {
      FuzzChecks.requireCleanMessage(e, secrets.toArray(String[]::new));
      return;
    }
    assertFalse(key.toString().contains(CANARY));
    KeyMaterial again = KeySecretCodec.fromData(KeySecretCodec.toData(key));
    assertTrue(again.current().sameKeyAs(key.current()));
    assertEquals(key.previous() == null, again.previous() == null);
    if (key.previous() != null) {
      assertTrue(again.previous().sameKeyAs(key.previous()));
      assertEquals(key.previousExpiresAt(), again.previousExpiresAt());
    }
  }

  static String base64(String plain) {
    return Base64.getEncoder().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
  }
}
