package io.dnsupdate.webhook.challenge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnsupdate.api.TsigKey;
import io.dnsupdate.api.TsigKeyAlgorithm;
import io.dnsupdate.api.TsigKeySpec;
import io.dnsupdate.api.TsigKeyStatus;
import io.dnsupdate.config.KeyMaterial;
import io.dnsupdate.config.KeySecretCodec;
import io.dnsupdate.dns.TsigAlgorithm;
import io.dnsupdate.dns.TsigCredentials;
import io.dnsupdate.testkit.MutableClock;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Which Secret the webhook reads for a TsigKey, and how, without an API server. */
class KeyMaterialCacheTest {
  // test-only keys in BIND's base64 form
  private static final String ONE = "zkRQRKrfa0V8dBX/JzdIE6B68Nes6PS85h85otsS5VE=";
  private static final String TWO = "H6e8okxDMqWRMu/CRP5O8NoNE/6tbT32l+ksCfgiFFA=";
  private static final String KEY_NAME = "web.team-a.dnsupdate.io.";

  final Map<String, Secret> secrets = new ConcurrentHashMap<>();
  final List<String> reads = new ArrayList<>();
  KeyMaterialCache cache = cache(Clock.systemUTC());

  KeyMaterialCache cache(Clock clock) {
    return new KeyMaterialCache(
        (ns, name) -> {
          synchronized (reads) {
            reads.add(ns + "/" + name);
          }
          return secrets.get(ns + "/" + name);
        },
        clock);
  }

  static TsigCredentials credentials(String secret) {
    return TsigCredentials.fromBase64(KEY_NAME, TsigAlgorithm.HMAC_SHA256, secret);
  }

  /** A TsigKey team-a/web; {@code status} null means the operator has not reconciled it. */
  static TsigKey key(Consumer<TsigKeySpec> spec, TsigKeyStatus status) {
    TsigKey key = new TsigKey();
    key.setMetadata(
        new ObjectMetaBuilder().withNamespace("team-a").withName("web").withUid("u1").build());
    TsigKeySpec s = new TsigKeySpec();
    spec.accept(s);
    key.setSpec(s);
    key.setStatus(status);
    return key;
  }

  static TsigKeyStatus written(String secretName, String fingerprint) {
    TsigKeyStatus status = new TsigKeyStatus();
    status.setSecretName(secretName);
    status.setFingerprint(fingerprint);
    return status;
  }

  void keySecret(String name, String secret) {
    secrets.put(
        "team-a/" + name,
        new SecretBuilder()
            .withNewMetadata()
            .withNamespace("team-a")
            .withName(name)
            .endMetadata()
            .withData(KeySecretCodec.toData(KeyMaterial.of(credentials(secret))))
            .build());
  }

  void usersSecret(String name, String dataKey, String secret) {
    secrets.put(
        "team-a/" + name,
        new SecretBuilder()
            .withNewMetadata()
            .withNamespace("team-a")
            .withName(name)
            .endMetadata()
            .addToData(
                dataKey,
                Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8)))
            .build());
  }

  @Nested
  class WhichSecret {
    @Test
    void theOneInStatusOnceTheOperatorWroteIt() throws Exception {
      keySecret("renamed-tsig", ONE);

      KeyMaterialCache.KeyHandle h =
          cache.get(key(spec -> {}, written("renamed-tsig", credentials(ONE).fingerprint())));

      assertThat(h.secretName()).isEqualTo("renamed-tsig");
      assertThat(h.material().current()).isEqualTo(credentials(ONE));
      assertThat(reads).containsExactly("team-a/renamed-tsig");
    }

    @Test
    void theNamedKeySecretBeforeTheOperatorWroteStatus() throws Exception {
      keySecret("web-tsig", ONE);

      assertThat(cache.get(key(spec -> {}, null)).secretName()).isEqualTo("web-tsig");
    }

    @Test
    void theImportSourceBeforeTheOperatorCopiedIt() throws Exception {
      usersSecret("from-dns-team", "secret", ONE); // the default data key

      KeyMaterialCache.KeyHandle h =
          cache.get(
              key(
                  spec -> spec.setImportFrom(new TsigKeySpec.ImportFrom("from-dns-team", null)),
                  null));

      assertThat(h.secretName()).isEqualTo("from-dns-team");
      assertThat(h.material().current()).isEqualTo(credentials(ONE));
    }

    @Test
    void theImportSourceOfTheSpecsNewGeneration() throws Exception {
      usersSecret("from-dns-team", "secret", ONE);
      usersSecret("from-dns-team-2", "secret", TWO);
      TsigKey first =
          key(spec -> spec.setImportFrom(new TsigKeySpec.ImportFrom("from-dns-team", null)), null);
      first.getMetadata().setGeneration(1L);
      TsigKey second =
          key(
              spec -> spec.setImportFrom(new TsigKeySpec.ImportFrom("from-dns-team-2", null)),
              null);
      second.getMetadata().setGeneration(2L);

      assertThat(cache.get(first).secretName()).isEqualTo("from-dns-team");
      assertThat(cache.get(second).material().current()).isEqualTo(credentials(TWO));
    }

    @Test
    void theImportSourceWithItsDataKeyNameAndAlgorithm() throws Exception {
      String sha512 = Base64.getEncoder().encodeToString(new byte[64]);
      usersSecret("from-dns-team", "tsig", sha512);

      KeyMaterialCache.KeyHandle h =
          cache.get(
              key(
                  spec -> {
                    spec.setImportFrom(new TsigKeySpec.ImportFrom("from-dns-team", "tsig"));
                    spec.setKeyName("dns-team.example.");
                    spec.setAlgorithm(TsigKeyAlgorithm.HMAC_SHA512);
                  },
                  null));

      assertThat(h.material().current())
          .isEqualTo(
              TsigCredentials.fromBase64("dns-team.example.", TsigAlgorithm.HMAC_SHA512, sha512));
    }

    @Test
    void anImportSourceAlreadyInTheOperatorsFormatIsReadAsSuch() throws Exception {
      keySecret("from-dns-team", TWO);

      KeyMaterialCache.KeyHandle h =
          cache.get(
              key(
                  spec -> spec.setImportFrom(new TsigKeySpec.ImportFrom("from-dns-team", null)),
                  null));

      assertThat(h.material().current()).isEqualTo(credentials(TWO));
    }
  }

  @Nested
  class Refusals {
    @Test
    void aSpecTheOperatorRefusesReadsNoSecret() {
      keySecret("web-tsig", ONE);

      assertThatThrownBy(
              () -> cache.get(key(spec -> spec.setAlgorithm(TsigKeyAlgorithm.HMAC_MD5), null)))
          .isInstanceOfSatisfying(
              SolverFailure.class,
              e -> assertThat(e.reason()).isEqualTo(SolverFailure.Reason.KeyUnavailable))
          .hasMessageContaining("TsigKey team-a/web has an invalid spec")
          .hasMessageContaining("algorithm: hmac-md5 is weak");
      assertThat(reads).isEmpty();
    }

    @Test
    void aMissingSecretSaysWhoWritesIt() {
      assertThatThrownBy(() -> cache.get(key(spec -> {}, null)))
          .isInstanceOfSatisfying(
              SolverFailure.class,
              e -> assertThat(e.reason()).isEqualTo(SolverFailure.Reason.KeyUnavailable))
          .hasMessageContaining("Secret team-a/web-tsig of TsigKey team-a/web does not exist");
    }
  }

  @Nested
  class Expiry {
    final MutableClock clock = MutableClock.at("2025-06-01T08:00:00Z");
    final KeyMaterialCache timed = cache(clock);

    TsigKey reconciled(String secret) {
      return key(spec -> {}, written("web-tsig", credentials(secret).fingerprint()));
    }

    @Test
    void anUnchangedFingerprintIsReadAgainAfterTenMinutes() throws Exception {
      keySecret("web-tsig", ONE);
      KeyMaterialCache.KeyHandle first = timed.get(reconciled(ONE));
      clock.advance(KeyMaterialCache.MAX_AGE.minusNanos(1));
      assertThat(timed.get(reconciled(ONE))).isSameAs(first);

      clock.advance(Duration.ofNanos(1));

      assertThat(timed.get(reconciled(ONE))).isNotSameAs(first);
      assertThat(reads).hasSize(2);
    }

    @Test
    void withoutAFingerprintTheSecretIsReadAgainAfterThirtySeconds() throws Exception {
      keySecret("web-tsig", ONE);
      KeyMaterialCache.KeyHandle first = timed.get(key(spec -> {}, null));
      clock.advance(KeyMaterialCache.MAX_AGE_UNVERSIONED.minusNanos(1));
      assertThat(timed.get(key(spec -> {}, null))).isSameAs(first);

      clock.advance(Duration.ofNanos(1));

      assertThat(timed.get(key(spec -> {}, null))).isNotSameAs(first);
      assertThat(reads).hasSize(2);
    }

    @Test
    void aNewFingerprintOrSecretIsReadAtOnce() throws Exception {
      keySecret("web-tsig", ONE);
      timed.get(reconciled(ONE));
      keySecret("web-tsig", TWO);

      assertThat(timed.get(reconciled(TWO)).material().current()).isEqualTo(credentials(TWO));

      keySecret("renamed-tsig", ONE);
      KeyMaterialCache.KeyHandle renamed =
          timed.get(key(spec -> {}, written("renamed-tsig", credentials(TWO).fingerprint())));
      assertThat(renamed.secretName()).isEqualTo("renamed-tsig");
      assertThat(reads).hasSize(3);
    }

    @Test
    void aMissingSecretIsNotRemembered() throws Exception {
      assertThatThrownBy(() -> timed.get(reconciled(ONE))).isInstanceOf(SolverFailure.class);
      keySecret("web-tsig", ONE);

      assertThat(timed.get(reconciled(ONE)).material().current()).isEqualTo(credentials(ONE));
    }
  }

  @Nested
  class Refresh {
    final MutableClock clock = MutableClock.at("2025-06-01T08:00:00Z");
    final KeyMaterialCache timed = cache(clock);
    final TsigKey key = key(spec -> {}, written("web-tsig", credentials(ONE).fingerprint()));

    @Test
    void aRejectedKeyIsReadAgainOnceASecondHasPassed() throws Exception {
      keySecret("web-tsig", ONE);
      KeyMaterialCache.KeyHandle stale = timed.get(key);
      keySecret("web-tsig", TWO); // edited by hand; the operator has not updated the status yet

      assertThat(timed.refresh(key, stale)).isSameAs(stale); // read a moment ago
      clock.advance(KeyMaterialCache.MIN_REFRESH);
      KeyMaterialCache.KeyHandle fresh = timed.refresh(key, stale);

      assertThat(fresh.material().current()).isEqualTo(credentials(TWO));
      assertThat(timed.get(key)).isSameAs(fresh);
      assertThat(reads).hasSize(2);
    }

    @Test
    void whatAnotherChallengeReadSinceIsUsed() throws Exception {
      keySecret("web-tsig", ONE);
      KeyMaterialCache.KeyHandle stale = timed.get(key);
      clock.advance(KeyMaterialCache.MIN_REFRESH);
      KeyMaterialCache.KeyHandle fresh = timed.refresh(key, stale);

      assertThat(timed.refresh(key, stale)).isSameAs(fresh);
      assertThat(reads).hasSize(2);
    }

    @Test
    void aSecretGoneOnRefreshIsReadAgainNextTime() throws Exception {
      keySecret("web-tsig", ONE);
      KeyMaterialCache.KeyHandle stale = timed.get(key);
      secrets.clear();
      clock.advance(KeyMaterialCache.MIN_REFRESH);

      assertThatThrownBy(() -> timed.refresh(key, stale)).hasMessageContaining("does not exist");
      assertThatThrownBy(() -> timed.get(key)).hasMessageContaining("does not exist");
      assertThat(reads).hasSize(3);
    }
  }

  @Test
  void keepsAtMostMaxKeys() throws Exception {
    keySecret("web-tsig", ONE);
    for (int i = 0; i < KeyMaterialCache.MAX_KEYS + 100; i++) {
      TsigKey k = key(spec -> {}, written("web-tsig", credentials(ONE).fingerprint()));
      k.getMetadata().setUid("uid-" + i);
      cache.get(k);
    }

    assertThat(cache.size()).isLessThanOrEqualTo(KeyMaterialCache.MAX_KEYS);
  }
}
