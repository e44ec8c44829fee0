package io.dnsupdate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnsupdate.dns.TsigAlgorithm;
import io.dnsupdate.dns.TsigCredentials;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KeySecretCodecTest {
  // test-only keys in BIND's base64 form
  private static final String CURRENT = "zkRQRKrfa0V8dBX/JzdIE6B68Nes6PS85h85otsS5VE=";
  private static final String PREVIOUS = "H6e8okxDMqWRMu/CRP5O8NoNE/6tbT32l+ksCfgiFFA=";
  private static final Instant EXPIRES = Instant.parse("2025-03-01T12:00:00Z");

  private static final TsigCredentials CURRENT_KEY =
      TsigCredentials.fromBase64("acme.default.dnsupdate.io.", TsigAlgorithm.HMAC_SHA256, CURRENT);
  private static final TsigCredentials PREVIOUS_KEY =
      TsigCredentials.fromBase64("acme.default.dnsupdate.io.", TsigAlgorithm.HMAC_SHA256, PREVIOUS);

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  @Nested
  class RoundTrip {
    @Test
    void currentKeyOnly() {
      Map<String, String> data = KeySecretCodec.toData(KeyMaterial.of(CURRENT_KEY));

      assertThat(data)
          .containsExactly(
              Map.entry("algorithm", b64("hmac-sha256")),
              Map.entry("keyName", b64("acme.default.dnsupdate.io.")),
              Map.entry("secret", b64(CURRENT)));
      assertThat(KeySecretCodec.fromData(data)).isEqualTo(KeyMaterial.of(CURRENT_KEY));
    }

    @Test
    void withPreviousKeyDuringOverlap() {
      KeyMaterial key = KeyMaterial.of(CURRENT_KEY).withPrevious(PREVIOUS_KEY, EXPIRES);

      Map<String, String> plain = KeySecretCodec.toStringData(key);

      assertThat(plain)
          .containsEntry("previousSecret", PREVIOUS)
          .containsEntry("previousExpiresAt", "2025-03-01T12:00:00Z");
      assertThat(KeySecretCodec.fromStringData(plain)).isEqualTo(key);
      assertThat(KeySecretCodec.fromData(KeySecretCodec.toData(key))).isEqualTo(key);
      assertThat(key.usableAt(EXPIRES.minusSeconds(1))).containsExactly(CURRENT_KEY, PREVIOUS_KEY);
      assertThat(key.usableAt(EXPIRES)).containsExactly(CURRENT_KEY);
    }

    @Test
    void secretObjectWithDataAndStringDataMerged() {
      Secret secret =
          new SecretBuilder()
              .withNewMetadata()
              .withName("acme-tsig")
              .endMetadata()
              .addToData("keyName", b64("acme.default.dnsupdate.io."))
              .addToData("secret", b64(PREVIOUS))
              .addToStringData("algorithm", "hmac-sha256")
              .addToStringData("secret", CURRENT) // stringData wins, as on the API server
              .build();

      assertThat(KeySecretCodec.fromSecret(secret)).isEqualTo(KeyMaterial.of(CURRENT_KEY));
    }

    @Test
    void aKeySecretHasKeyNameAndAlgorithmInEitherMap() {
      Secret operators =
          new SecretBuilder()
              .addToData("keyName", b64("acme.default.dnsupdate.io."))
              .addToStringData("algorithm", "hmac-sha256")
              .build();
      Secret users = new SecretBuilder().addToData("tsig", b64(CURRENT)).build();
      Secret noAlgorithm = new SecretBuilder().addToData("keyName", b64("a.example.")).build();

      assertThat(KeySecretCodec.isKeySecret(operators)).isTrue();
      assertThat(KeySecretCodec.isKeySecret(users)).isFalse();
      assertThat(KeySecretCodec.isKeySecret(noAlgorithm)).isFalse();
      assertThat(KeySecretCodec.isKeySecret(new Secret())).isFalse();
    }

    @Test
    void legacyAlgorithmsAreReadBack() {
      TsigCredentials md5 =
          TsigCredentials.fromBase64("old.", TsigAlgorithm.HMAC_MD5, "q83vEjRWeJCrze8SNFZ4kA==");
      assertThat(KeySecretCodec.fromData(KeySecretCodec.toData(KeyMaterial.of(md5))).current())
          .isEqualTo(md5);
    }

    @Test
    void previousKeyMustMatchNameAndAlgorithm() {
      TsigCredentials other =
          TsigCredentials.fromBase64("other.", TsigAlgorithm.HMAC_SHA256, PREVIOUS);
      assertThatThrownBy(() -> KeyMaterial.of(CURRENT_KEY).withPrevious(other, EXPIRES))
          .hasMessageContaining("name and algorithm");
      assertThatThrownBy(() -> new KeyMaterial(CURRENT_KEY, PREVIOUS_KEY, null))
          .hasMessageContaining("together");
    }

    @Test
    void toStringNeverShowsKeys() {
      KeyMaterial key = KeyMaterial.of(CURRENT_KEY).withPrevious(PREVIOUS_KEY, EXPIRES);
      assertThat(key.toString())
          .contains("fingerprint")
          .doesNotContain(CURRENT.substring(0, 12))
          .doesNotContain(PREVIOUS.substring(0, 12));
    }
  }

  @Nested
  class Errors {
    private Map<String, String> valid() {
      return new HashMap<>(KeySecretCodec.toStringData(KeyMaterial.of(CURRENT_KEY)));
    }

    @ParameterizedTest(name = "without {0}")
    @CsvSource({"keyName", "algorithm", "secret"})
    void missingFieldsAreNamed(String field) {
      Map<String, String> plain = valid();
      plain.remove(field);

      assertThatThrownBy(() -> KeySecretCodec.fromStringData(plain))
          .isInstanceOf(InvalidKeySecretException.class)
          .hasMessageContaining("no '" + field + "'");
    }

    @Test
    void unknownAlgorithm() {
      Map<String, String> plain = valid();
      plain.put("algorithm", "hmac-foo");
      assertThatThrownBy(() -> KeySecretCodec.fromStringData(plain))
          .hasMessageContaining("'hmac-foo' is not a TSIG algorithm");
    }

    @Test
    void dataValuesMustBeBase64AndTheMessageHidesThem() {
      Map<String, String> data = KeySecretCodec.toData(KeyMaterial.of(CURRENT_KEY));
      Map<String, String> broken = new HashMap<>(data);
      broken.put("secret", CURRENT.replace('/', '-')); // not base64 of anything: '-'

      assertThatThrownBy(() -> KeySecretCodec.fromData(broken))
          .isInstanceOf(InvalidKeySecretException.class)
          .hasMessageContaining("Secret data 'secret' is not base64")
          .hasMessageNotContaining(CURRENT.substring(0, 8))
          .hasNoCause();
    }

    @Test
    void plainTextPutUnderDataIsRecognisedAsDoubleEncodingTrouble() {
      // the BIND string base64-encoded twice: data holds base64(base64(base64 key))
      Map<String, String> data = KeySecretCodec.toData(KeyMaterial.of(CURRENT_KEY));
      Map<String, String> twice = new HashMap<>(data);
      twice.put("secret", b64(b64(CURRENT)));

      assertThatThrownBy(() -> KeySecretCodec.fromData(twice))
          .hasMessageContaining("field 'secret'")
          .hasMessageContaining("base64-encoded twice")
          .hasMessageNotContaining(CURRENT.substring(0, 8));
    }

    @Test
    void shortSecretIsRefusedWithoutShowingIt() {
      Map<String, String> plain = valid();
      plain.put("secret", "c2hvcnRrZXk=");
      assertThatThrownBy(() -> KeySecretCodec.fromStringData(plain))
          .hasMessageContaining("too short")
          .hasMessageNotContaining("c2hvcnRrZXk");
    }

    @Test
    void halfARotation() {
      Map<String, String> plain = valid();
      plain.put("previousSecret", PREVIOUS);
      assertThatThrownBy(() -> KeySecretCodec.fromStringData(plain))
          .hasMessageContaining("'previousSecret' without 'previousExpiresAt'")
          .hasMessageNotContaining(PREVIOUS.substring(0, 8));
    }

    @Test
    void badExpiryTime() {
      Map<String, String> plain = valid();
      plain.put("previousSecret", PREVIOUS);
      plain.put("previousExpiresAt", "tomorrow");
      assertThatThrownBy(() -> KeySecretCodec.fromStringData(plain))
          .hasMessageContaining("'previousExpiresAt' 'tomorrow' is not an RFC 3339 time");
    }

    @Test
    void valuesThatCouldBeSecretsAreNotEchoed() {
      Map<String, String> plain = valid();
      plain.put("algorithm", PREVIOUS);
      assertThatThrownBy(() -> KeySecretCodec.fromStringData(plain))
          .hasMessageContaining("'algorithm' is not a TSIG algorithm")
          .hasMessageNotContaining(PREVIOUS.substring(0, 8));
    }
  }

  @Nested
  class Import {
    private static final String KEY_NAME = "acme.default.dnsupdate.io.";

    @Test
    void bareBase64UnderTheGivenKey() {
      Secret secret =
          new SecretBuilder()
              .withNewMetadata()
              .withName("from-dns-team")
              .endMetadata()
              .addToData("tsig", b64(CURRENT + "\n"))
              .build();

      assertThat(KeySecretCodec.importKey(secret, "tsig", KEY_NAME, TsigAlgorithm.HMAC_SHA256))
          .isEqualTo(CURRENT_KEY);
    }

    @Test
    void tsigKeygenClause() {
      String clause =
          "key \"acme.default.dnsupdate.io\" {\n\talgorithm hmac-sha256;\n\tsecret \""
              + CURRENT
              + "\";\n};\n";
      assertThat(
              KeySecretCodec.importKey(
                  "s",
                  null,
                  Map.of("secret", clause),
                  "secret",
                  KEY_NAME,
                  TsigAlgorithm.HMAC_SHA256))
          .isEqualTo(CURRENT_KEY);
    }

    @Test
    void clauseDisagreeingWithTheTsigKey() {
      String clause = "key \"other\" { algorithm hmac-sha512; secret \"" + CURRENT + "\"; };";
      assertThatThrownBy(
              () ->
                  KeySecretCodec.importKey(
                      "s",
                      null,
                      Map.of("secret", clause),
                      "secret",
                      KEY_NAME,
                      TsigAlgorithm.HMAC_SHA256))
          .hasMessageContaining("set spec.algorithm to hmac-sha512")
          .hasMessageNotContaining(CURRENT.substring(0, 8));
      String renamed = "key \"other\" { algorithm hmac-sha256; secret \"" + CURRENT + "\"; };";
      assertThatThrownBy(
              () ->
                  KeySecretCodec.importKey(
                      "s",
                      null,
                      Map.of("secret", renamed),
                      "secret",
                      KEY_NAME,
                      TsigAlgorithm.HMAC_SHA256))
          .hasMessageContaining("set spec.keyName to other");
    }

    @Test
    void missingDataKeyListsThePresentOnes() {
      assertThatThrownBy(
              () ->
                  KeySecretCodec.importKey(
                      "from-dns-team",
                      Map.of("key", b64(CURRENT), "name", b64("x")),
                      null,
                      "secret",
                      KEY_NAME,
                      TsigAlgorithm.HMAC_SHA256))
          .isInstanceOf(InvalidKeySecretException.class)
          .hasMessage(
              "Secret 'from-dns-team' has no data key 'secret' (it has [key, name]); set"
                  + " importFrom.secretKey to the key holding BIND's secret string");
    }

    @Test
    void rawKeyBytesInsteadOfBindText() {
      byte[] raw = Base64.getDecoder().decode(CURRENT);
      String data = Base64.getEncoder().encodeToString(raw);
      List<String> messages = new java.util.ArrayList<>();
      try {
        KeySecretCodec.importKey(
            "s", Map.of("secret", data), null, "secret", KEY_NAME, TsigAlgorithm.HMAC_SHA256);
      } catch (InvalidKeySecretException e) {
        messages.add(e.getMessage());
      }
      assertThat(messages).singleElement().asString().contains("binary bytes, not text");
    }
  }
}
