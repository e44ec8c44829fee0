package io.dnsupdate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnsupdate.api.TsigKey;
import io.dnsupdate.api.TsigKeyAlgorithm;
import io.dnsupdate.api.TsigKeySpec;
import io.dnsupdate.api.TsigKeyStatus;
import io.dnsupdate.dns.TsigAlgorithm;
import io.dnsupdate.dns.TsigCredentials;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class KeySettingsTest {
  static TsigKey key(Consumer<TsigKeySpec> spec) {
    TsigKey key = new TsigKey();
    key.setMetadata(new ObjectMetaBuilder().withNamespace("team-a").withName("web").build());
    TsigKeySpec s = new TsigKeySpec();
    spec.accept(s);
    key.setSpec(s);
    return key;
  }

  @Test
  void appliesTheCrdDefaults() {
    KeySettings s = KeySettings.parse(key(spec -> {}));

    assertThat(s.keyName()).isEqualTo("web.team-a.dnsupdate.io.");
    assertThat(s.algorithm()).isEqualTo(TsigAlgorithm.HMAC_SHA256);
    assertThat(s.secretName()).isEqualTo("web-tsig");
    assertThat(s.nameserverConfigSecretName()).isEqualTo("web-nameserver-config");
    assertThat(s.importFrom()).isEmpty();
    assertThat(s.rotation()).isEmpty();
  }

  @Test
  void readsRotationWithTheDefaultOverlap() {
    KeySettings s =
        KeySettings.parse(key(spec -> spec.setRotation(new TsigKeySpec.Rotation("720h", null))));

    assertThat(s.rotation().orElseThrow().period()).isEqualTo(Duration.ofDays(30));
    assertThat(s.rotation().orElseThrow().overlap()).isEqualTo(Duration.ofHours(24));
  }

  @Test
  void refusesLegacyAlgorithmsUnlessAllowed() {
    assertThatThrownBy(
            () -> KeySettings.parse(key(spec -> spec.setAlgorithm(TsigKeyAlgorithm.HMAC_MD5))))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("algorithm: hmac-md5 is weak")
        .hasMessageContaining("allowLegacyAlgorithm");

    KeySettings allowed =
        KeySettings.parse(
            key(
                spec -> {
                  spec.setAlgorithm(TsigKeyAlgorithm.HMAC_SHA1);
                  spec.setAllowLegacyAlgorithm(true);
                }));
    assertThat(allowed.algorithm()).isEqualTo(TsigAlgorithm.HMAC_SHA1);
  }

  @Test
  void listsEveryProblemAtOnce() {
    TsigKey bad =
        key(
            spec -> {
              spec.setKeyName("not a name!");
              spec.setSecretName("same");
              spec.setNameserverConfigSecretName("same");
              spec.setImportFrom(new TsigKeySpec.ImportFrom("same", null));
              spec.setRotation(new TsigKeySpec.Rotation("1h", "2h"));
            });

    assertThatThrownBy(() -> KeySettings.parse(bad))
        .isInstanceOfSatisfying(
            InvalidSpecException.class,
            e ->
                assertThat(e.problems())
                    .anySatisfy(p -> assertThat(p).startsWith("keyName:"))
                    .anySatisfy(p -> assertThat(p).startsWith("nameserverConfigSecretName:"))
                    .anySatisfy(p -> assertThat(p).startsWith("importFrom.secretName:"))
                    .anySatisfy(p -> assertThat(p).contains("an imported key is never changed"))
                    .anySatisfy(p -> assertThat(p).startsWith("rotation.overlap:")));
  }

  @Test
  void refusesUnparseableDurations() {
    assertThatThrownBy(
            () ->
                KeySettings.parse(
                    key(spec -> spec.setRotation(new TsigKeySpec.Rotation("soon", null)))))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("rotation.period: 'soon' is not a duration");
  }

  private static TsigKeyStatus written(String secretName) {
    TsigKeyStatus status = new TsigKeyStatus();
    status.setSecretName(secretName);
    return status;
  }

  @Test
  void theSecretInUseIsTheOneTheOperatorWroteElseTheImportSourceElseTheNamedOne() {
    KeySettings generated = KeySettings.parse(key(spec -> {}));
    KeySettings imported =
        KeySettings.parse(
            key(spec -> spec.setImportFrom(new TsigKeySpec.ImportFrom("from-dns-team", null))));

    assertThat(generated.secretInUse(null)).isEqualTo("web-tsig");
    assertThat(generated.secretInUse(written(" "))).isEqualTo("web-tsig");
    assertThat(generated.secretInUse(written("renamed-tsig"))).isEqualTo("renamed-tsig");
    assertThat(imported.secretInUse(null)).isEqualTo("from-dns-team");
    assertThat(imported.secretInUse(written("web-tsig"))).isEqualTo("web-tsig");
  }

  @Test
  void importsWithTheDefaultDataKeyTheKeyNameAndTheAlgorithm() {
    String secret = "zkRQRKrfa0V8dBX/JzdIE6B68Nes6PS85h85otsS5VE="; // test-only key
    KeySettings s =
        KeySettings.parse(
            key(spec -> spec.setImportFrom(new TsigKeySpec.ImportFrom("from-dns-team", " "))));
    String encoded = Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8));

    TsigCredentials imported =
        s.importKey(new SecretBuilder().addToData("secret", encoded).build());

    assertThat(s.importFrom().orElseThrow().secretKey()).isEqualTo("secret");
    assertThat(imported)
        .isEqualTo(
            TsigCredentials.fromBase64(
                "web.team-a.dnsupdate.io.", TsigAlgorithm.HMAC_SHA256, secret));
    assertThatThrownBy(
            () -> KeySettings.parse(key(spec -> {})).importKey(new SecretBuilder().build()))
        .isInstanceOf(IllegalStateException.class);
  }
}
