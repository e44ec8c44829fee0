package io.dnsupdate.operator.tsigkey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnsupdate.api.ApiConstants;
import io.dnsupdate.api.TsigKey;
import io.dnsupdate.api.TsigKeyAlgorithm;
import io.dnsupdate.api.TsigKeySpec;
import io.dnsupdate.api.TsigKeyStatus;
import io.dnsupdate.config.InvalidSpecException;
import io.dnsupdate.config.KeySecretCodec;
import io.dnsupdate.dns.TsigCredentials;
import io.dnsupdate.operator.testing.Resources;
import io.dnsupdate.operator.tsigkey.DesiredKeySecret.Decision;
import io.dnsupdate.operator.tsigkey.DesiredKeySecret.Result;
import io.dnsupdate.testkit.MutableClock;
import io.dnsupdate.testkit.TestKeys;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DesiredKeySecretTest {
  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

  private final MutableClock clock = new MutableClock(T0);
  private final SecureRandom random = new SecureRandom();

  private static TsigKey key(Consumer<TsigKeySpec> spec) {
    TsigKey key = Resources.tsigKey("team-a", "web", spec);
    key.getMetadata().setUid("uid-web");
    key.getMetadata().setGeneration(1L);
    return key;
  }

  private Result compute(TsigKey key, Secret existing) throws KeyNotUsableException {
    return DesiredKeySecret.compute(key, existing, null, clock, random);
  }

  private Result compute(TsigKey key, Secret existing, Secret source) throws KeyNotUsableException {
    return DesiredKeySecret.compute(key, existing, source, clock, random);
  }

  @Nested
  class Generate {
    @Test
    void aFirstKeyGoesIntoAnOwnedLabelledSecret() throws Exception {
      Result r = compute(key(s -> {}), null);

      assertThat(r.decision()).isEqualTo(Decision.GENERATED);
      Secret secret = r.secret();
      assertThat(secret.getMetadata().getName()).isEqualTo("web-tsig");
      assertThat(secret.getMetadata().getNamespace()).isEqualTo("team-a");
      assertThat(secret.getType()).isEqualTo("Opaque");
      assertThat(secret.getMetadata().getLabels())
          .containsEntry("app.kubernetes.io/managed-by", "dnsupdate-operator")
          .containsEntry("app.kubernetes.io/part-of", "dnsupdate-operator")
          .containsEntry("dnsupdate.io/tsigkey", "web");
      assertThat(secret.getMetadata().getOwnerReferences())
          .singleElement()
          .satisfies(
              o -> {
                assertThat(o.getUid()).isEqualTo("uid-web");
                assertThat(o.getKind()).isEqualTo("TsigKey");
                assertThat(o.getApiVersion()).isEqualTo("dnsupdate.io/v1alpha1");
                assertThat(o.getController()).isTrue();
              });
      assertThat(Resources.value(secret, "keyName")).isEqualTo("web.team-a.dnsupdate.io.");
      assertThat(Resources.value(secret, "algorithm")).isEqualTo("hmac-sha256");
      assertThat(Base64.getDecoder().decode(Resources.value(secret, "secret"))).hasSize(32);
      assertThat(secret.getMetadata().getAnnotations())
          .containsEntry(KeySecrets.ANNOTATION_GENERATED_AT, "2025-01-01T00:00:00Z");
      assertThat(r.generatedAt()).isEqualTo(T0);
      assertThat(r.rotatesAt()).isNull();
      assertThat(r.nextChange()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"HMAC_SHA256,32", "HMAC_SHA384,48", "HMAC_SHA512,64"})
    void keysAreAsLongAsTheHmacOutput(TsigKeyAlgorithm algorithm, int bytes) throws Exception {
      Result r = compute(key(s -> s.setAlgorithm(algorithm)), null);

      assertThat(Base64.getDecoder().decode(Resources.value(r.secret(), "secret"))).hasSize(bytes);
      assertThat(Resources.value(r.secret(), "algorithm")).isEqualTo(algorithm.bindName());
    }

    @Test
    void twoKeysAreNeverTheSame() throws Exception {
      assertThat(compute(key(s -> {}), null).key().current().fingerprint())
          .isNotEqualTo(compute(key(s -> {}), null).key().current().fingerprint());
    }

    @Test
    void legacyAlgorithmsOnlyWhenAllowed() throws Exception {
      assertThatThrownBy(() -> compute(key(s -> s.setAlgorithm(TsigKeyAlgorithm.HMAC_SHA1)), null))
          .isInstanceOf(InvalidSpecException.class);

      Result r =
          compute(
              key(
                  s -> {
                    s.setAlgorithm(TsigKeyAlgorithm.HMAC_SHA1);
                    s.setAllowLegacyAlgorithm(true);
                  }),
              null);
      assertThat(Base64.getDecoder().decode(Resources.value(r.secret(), "secret"))).hasSize(20);
    }

    @Test
    void neverPrintsTheKey() throws Exception {
      Result r = compute(key(s -> {}), null);

      assertThat(r.toString()).doesNotContain(r.key().current().secretBase64());
    }
  }

  @Nested
  class Stable {
    @Test
    void reReconcilesRestartsAndTimeKeepTheKey() throws Exception {
      TsigKey key = key(s -> {});
      Result first = compute(key, null);
      clock.advance(Duration.ofDays(400));

      Result again = compute(key, first.secret());

      assertThat(again.decision()).isEqualTo(Decision.UNCHANGED);
      assertThat(again.key().current().sameKeyAs(first.key().current())).isTrue();
      assertThat(again.generatedAt()).isEqualTo(T0);
      assertThat(KeySecrets.upToDate(first.secret(), again.secret())).isTrue();
    }

    @Test
    void unrelatedEditsKeepTheKey() throws Exception {
      Result first = compute(key(s -> {}), null);

      Result edited =
          compute(
              key(
                  s -> {
                    s.setNameserverConfigSecretName("other-config");
                    s.setAllowLegacyAlgorithm(true);
                  }),
              first.secret());

      assertThat(edited.decision()).isEqualTo(Decision.UNCHANGED);
      assertThat(edited.key().current().sameKeyAs(first.key().current())).isTrue();
    }

    @Test
    void aChangedAlgorithmGetsANewKey() throws Exception {
      Result first = compute(key(s -> {}), null);

      Result changed =
          compute(key(s -> s.setAlgorithm(TsigKeyAlgorithm.HMAC_SHA512)), first.secret());

      assertThat(changed.decision()).isEqualTo(Decision.GENERATED);
      assertThat(changed.key().current().algorithm().bindName()).isEqualTo("hmac-sha512");
      assertThat(changed.detail()).contains("algorithm changed");
    }
  }

  @Nested
  class Lost {
    @Test
    void aDeletedSecretIsRecreatedWithANewKey() throws Exception {
      TsigKey key = key(s -> {});
      Result first = compute(key, null);
      TsigKeyStatus status = new TsigKeyStatus();
      status.setFingerprint(first.key().current().fingerprint());
      key.setStatus(status);

      Result again = compute(key, null);

      assertThat(again.decision()).isEqualTo(Decision.RECREATED);
      assertThat(again.key().current().sameKeyAs(first.key().current())).isFalse();
      assertThat(again.detail()).contains("was deleted").contains("NEW key");
    }

    @Test
    void anUnreadableOwnedSecretIsRecreated() throws Exception {
      Result first = compute(key(s -> {}), null);
      Secret broken =
          new SecretBuilder(first.secret()).addToData("secret", b64("too-short")).build();

      Result again = compute(key(s -> {}), broken);

      assertThat(again.decision()).isEqualTo(Decision.RECREATED);
      assertThat(again.detail()).contains("could not be read");
    }

    @Test
    void aSecretOfSomebodyElseIsLeftAlone() {
      Secret foreign =
          new SecretBuilder()
              .withNewMetadata()
              .withName("web-tsig")
              .withNamespace("team-a")
              .endMetadata()
              .withData(Map.of("password", b64("hunter2")))
              .build();

      assertThatThrownBy(() -> compute(key(s -> {}), foreign))
          .isInstanceOfSatisfying(
              KeyNotUsableException.class,
              e -> assertThat(e.reason()).isEqualTo(TsigKeyReason.SecretConflict))
          .hasMessageContaining("not managed by TsigKey 'web'");
    }

    @Test
    void aLabelledSecretWithoutOwnerIsAdopted() throws Exception {
      Result first = compute(key(s -> {}), null);
      Secret orphan =
          new SecretBuilder(first.secret())
              .editMetadata()
              .withOwnerReferences()
              .endMetadata()
              .build();

      Result again = compute(key(s -> {}), orphan);

      assertThat(again.decision()).isEqualTo(Decision.UNCHANGED);
      assertThat(KeySecrets.upToDate(orphan, again.secret())).isFalse();
      assertThat(KeySecrets.merged(orphan, again.secret()).getMetadata().getOwnerReferences())
          .singleElement()
          .satisfies(o -> assertThat(o.getUid()).isEqualTo("uid-web"));
    }

    @ParameterizedTest
    @CsvSource({"client-side apply", "server-side apply"})
    void aLabelledSecretThatSomeoneAppliesIsNotAdopted(String how) throws Exception {
      Secret committed =
          new SecretBuilder(compute(key(s -> {}), null).secret())
              .editMetadata()
              .withOwnerReferences()
              .endMetadata()
              .build();
      if (how.startsWith("client")) {
        committed.getMetadata().setAnnotations(Map.of(KeySecrets.LAST_APPLIED, "{}"));
      } else {
        committed
            .getMetadata()
            .setManagedFields(
                java.util.List.of(
                    new io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder()
                        .withManager("argocd-controller")
                        .withOperation("Apply")
                        .build()));
      }

      assertThatThrownBy(() -> compute(key(s -> {}), committed))
          .isInstanceOfSatisfying(
              KeyNotUsableException.class,
              e -> assertThat(e.reason()).isEqualTo(TsigKeyReason.SecretConflict))
          .hasMessageContaining("carries the operator's labels but")
          .hasMessageContaining(how.startsWith("client") ? "kubectl apply" : "argocd-controller");
    }
  }

  @Nested
  class Retain {
    private final TsigKey retained = key(s -> s.setSecretPolicy(TsigKeySpec.SecretPolicy.Retain));

    @Test
    void theKeySecretIsLabelledButNotOwned() throws Exception {
      Result r = compute(retained, null);

      assertThat(r.secret().getMetadata().getOwnerReferences()).isNullOrEmpty();
      assertThat(r.secret().getMetadata().getLabels()).containsEntry("dnsupdate.io/tsigkey", "web");
    }

    @Test
    void aTsigKeyThatComesBackTakesTheKeyOver() throws Exception {
      Result first = compute(retained, null);
      TsigKey successor = key(s -> s.setSecretPolicy(TsigKeySpec.SecretPolicy.Retain));
      successor.getMetadata().setUid("uid-web-2");

      Result again = compute(successor, first.secret());

      assertThat(again.decision()).isEqualTo(Decision.UNCHANGED);
      assertThat(again.secret().getData()).isEqualTo(first.secret().getData());
      assertThat(KeySecrets.upToDate(first.secret(), again.secret())).isTrue();
    }

    @Test
    void switchingPoliciesAddsOrRemovesTheOwnerReference() throws Exception {
      Secret owned = compute(key(s -> {}), null).secret();

      Secret desired = compute(retained, owned).secret();
      assertThat(KeySecrets.upToDate(owned, desired)).isFalse();
      Secret released = KeySecrets.merged(owned, desired);
      assertThat(released.getMetadata().getOwnerReferences()).isEmpty();
      assertThat(KeySecrets.upToDate(released, desired)).isTrue();

      Secret back = compute(key(s -> {}), released).secret();
      assertThat(KeySecrets.upToDate(released, back)).isFalse();
      assertThat(KeySecrets.merged(released, back).getMetadata().getOwnerReferences())
          .singleElement()
          .satisfies(o -> assertThat(o.getUid()).isEqualTo("uid-web"));
    }
  }

  @Nested
  class Rotation {
    private final TsigKey key = key(s -> s.setRotation(new TsigKeySpec.Rotation("720h", "24h")));

    @Test
    void notBeforeThePeriodEnds() throws Exception {
      Result first = compute(key, null);
      assertThat(first.rotatesAt()).isEqualTo(T0.plus(Duration.ofDays(30)));
      assertThat(first.nextChange()).contains(T0.plus(Duration.ofDays(30)));
      clock.advance(Duration.ofDays(30).minusSeconds(1));

      assertThat(compute(key, first.secret()).decision()).isEqualTo(Decision.UNCHANGED);
    }

    @Test
    void whenDueANewKeyAndThePreviousKeptForTheOverlapThenDropped() throws Exception {
      Result first = compute(key, null);
      TsigCredentials old = first.key().current();
      clock.advance(Duration.ofDays(30));
      Instant rotatedAt = clock.instant();

      Result rotated = compute(key, first.secret());

      assertThat(rotated.decision()).isEqualTo(Decision.ROTATED);
      assertThat(rotated.key().current().sameKeyAs(old)).isFalse();
      assertThat(rotated.key().previous().sameKeyAs(old)).isTrue();
      assertThat(rotated.key().previousExpiresAt()).isEqualTo(rotatedAt.plus(Duration.ofDays(1)));
      assertThat(rotated.generatedAt()).isEqualTo(rotatedAt);
      assertThat(rotated.rotatesAt()).isEqualTo(rotatedAt.plus(Duration.ofDays(30)));
      assertThat(rotated.nextChange()).contains(rotatedAt.plus(Duration.ofDays(1)));
      assertThat(Resources.value(rotated.secret(), "previousSecret")).isEqualTo(old.secretBase64());
      assertThat(Resources.value(rotated.secret(), "previousExpiresAt"))
          .isEqualTo("2025-02-01T00:00:00Z");

      clock.advance(Duration.ofHours(12));
      Result during = compute(key, rotated.secret());
      assertThat(during.decision()).isEqualTo(Decision.UNCHANGED);
      assertThat(during.key().previous().sameKeyAs(old)).isTrue();

      clock.advance(Duration.ofHours(12));
      Result after = compute(key, during.secret());
      assertThat(after.decision()).isEqualTo(Decision.OVERLAP_ENDED);
      assertThat(after.key().previous()).isNull();
      assertThat(after.key().current().sameKeyAs(rotated.key().current())).isTrue();
      assertThat(after.generatedAt()).isEqualTo(rotatedAt);
      assertThat(after.secret().getData())
          .doesNotContainKeys("previousSecret", "previousExpiresAt");
      assertThat(after.nextChange()).contains(rotatedAt.plus(Duration.ofDays(30)));
    }

    @Test
    void theSecretRoundTripsThroughTheCodec() throws Exception {
      Result first = compute(key, null);
      clock.advance(Duration.ofDays(31));
      Result rotated = compute(key, first.secret());

      assertThat(KeySecretCodec.fromSecret(rotated.secret())).isEqualTo(rotated.key());
    }
  }

  @Nested
  class Import {
    private final TsigKey key =
        key(
            s -> {
              s.setKeyName(TestKeys.ACME.name());
              s.setImportFrom(new TsigKeySpec.ImportFrom("acme-user", null));
            });

    @Test
    void copiesAValidKeyOnceAndKeepsIt() throws Exception {
      Secret source =
          Resources.userSecret("team-a", "acme-user", Map.of("secret", TestKeys.ACME.secret()));

      Result imported = compute(key, null, source);
      assertThat(imported.decision()).isEqualTo(Decision.IMPORTED);
      assertThat(imported.key().current().secretBase64()).isEqualTo(TestKeys.ACME.secret());
      assertThat(Resources.value(imported.secret(), "keyName")).isEqualTo("acme-key.");
      assertThat(imported.rotatesAt()).isNull();
      assertThat(source.getMetadata().getLabels()).isNullOrEmpty();

      clock.advance(Duration.ofDays(1));
      Result again = compute(key, imported.secret(), source);
      assertThat(again.decision()).isEqualTo(Decision.UNCHANGED);
      assertThat(again.generatedAt()).isEqualTo(T0);
    }

    @Test
    void acceptsAWholeKeyClause() throws Exception {
      Secret source =
          Resources.userSecret(
              "team-a", "acme-user", Map.of("secret", TestKeys.ACME.bindKeyClause()));

      assertThat(compute(key, null, source).key().current().secretBase64())
          .isEqualTo(TestKeys.ACME.secret());
    }

    @Test
    void followsAChangedSource() throws Exception {
      Secret source =
          Resources.userSecret("team-a", "acme-user", Map.of("secret", TestKeys.ACME.secret()));
      Result first = compute(key, null, source);
      byte[] bytes = new byte[32];
      random.nextBytes(bytes);
      String other = Base64.getEncoder().encodeToString(bytes);
      Secret changed = Resources.userSecret("team-a", "acme-user", Map.of("secret", other));

      clock.advance(Duration.ofMinutes(5));
      Result again = compute(key, first.secret(), changed);

      assertThat(again.decision()).isEqualTo(Decision.IMPORTED);
      assertThat(again.key().current().secretBase64()).isEqualTo(other);
      // the previous key stays for the default overlap (1h), in the rotation's format, which the
      // webhook and the probe already fall back to
      assertThat(again.key().previous().secretBase64()).isEqualTo(TestKeys.ACME.secret());
      assertThat(Resources.value(again.secret(), "previousSecret"))
          .isEqualTo(TestKeys.ACME.secret());
      assertThat(Resources.value(again.secret(), "previousExpiresAt"))
          .isEqualTo("2025-01-01T01:05:00Z");
      assertThat(again.detail()).contains("stays in Secret").doesNotContain(other);
      assertThat(again.nextChange()).contains(T0.plus(Duration.ofMinutes(65)));

      clock.advance(Duration.ofMinutes(59));
      assertThat(compute(key, again.secret(), changed).decision()).isEqualTo(Decision.UNCHANGED);
      clock.advance(Duration.ofMinutes(1));
      Result ended = compute(key, again.secret(), changed);
      assertThat(ended.decision()).isEqualTo(Decision.OVERLAP_ENDED);
      assertThat(ended.secret().getData()).doesNotContainKey("previousSecret");
      assertThat(ended.key().current().secretBase64()).isEqualTo(other);
    }

    @Test
    void anOverlapOfZeroKeepsNoPreviousKey() throws Exception {
      TsigKey noOverlap =
          key(
              s -> {
                s.setKeyName(TestKeys.ACME.name());
                s.setImportFrom(new TsigKeySpec.ImportFrom("acme-user", null, "0s", null));
              });
      Secret source =
          Resources.userSecret("team-a", "acme-user", Map.of("secret", TestKeys.ACME.secret()));
      Result first = compute(noOverlap, null, source);
      Secret changed =
          Resources.userSecret("team-a", "acme-user", Map.of("secret", TestKeys.ADMIN.secret()));

      Result again = compute(noOverlap, first.secret(), changed);

      assertThat(again.key().previous()).isNull();
      assertThat(again.secret().getData()).doesNotContainKey("previousSecret");
    }

    @Test
    void aMissingSourceKeepsTheCopiedKeyForTheGracePeriod() throws Exception {
      Secret source =
          Resources.userSecret("team-a", "acme-user", Map.of("secret", TestKeys.ACME.secret()));
      Result copied = compute(key, null, source);
      clock.advance(Duration.ofMinutes(1));

      Result missing = compute(key, copied.secret(), null);

      assertThat(missing.decision()).isEqualTo(Decision.SOURCE_MISSING);
      assertThat(missing.secret().getData()).isEqualTo(copied.secret().getData());
      Instant since = T0.plus(Duration.ofMinutes(1));
      assertThat(missing.sourceMissingSince()).isEqualTo(since);
      assertThat(missing.graceEnds()).isEqualTo(since.plus(Duration.ofMinutes(10)));
      assertThat(missing.nextChange()).contains(since.plus(Duration.ofMinutes(10)));
      assertThat(missing.detail())
          .contains("'acme-user'", "stays in use until 2025-01-01T00:11:00Z");

      // the operator keeps the start of the absence in the status
      TsigKeyStatus status = new TsigKeyStatus();
      status.setImportSecretMissingSince(since.toString());
      key.setStatus(status);
      clock.advance(Duration.ofMinutes(9));
      assertThat(compute(key, copied.secret(), null).sourceMissingSince()).isEqualTo(since);
      clock.advance(Duration.ofMinutes(1));
      assertThatThrownBy(() -> compute(key, copied.secret(), null))
          .isInstanceOfSatisfying(
              KeyNotUsableException.class,
              e -> {
                assertThat(e.reason()).isEqualTo(TsigKeyReason.ImportSecretNotFound);
                assertThat(e.sourceMissingSince()).isEqualTo(since);
              })
          .hasMessageContaining("longer than importFrom.gracePeriod 10m");

      // back: the key is the same, nothing changes
      assertThat(compute(key, copied.secret(), source).decision()).isEqualTo(Decision.UNCHANGED);
    }

    @Test
    void aCopyForAnotherKeyNameDoesNotStandInForAMissingSource() throws Exception {
      Secret source =
          Resources.userSecret("team-a", "acme-user", Map.of("secret", TestKeys.ACME.secret()));
      Result copied = compute(key, null, source);
      key.getSpec().setKeyName("renamed-key.");

      assertThatThrownBy(() -> compute(key, copied.secret(), null))
          .isInstanceOfSatisfying(
              KeyNotUsableException.class,
              e -> assertThat(e.reason()).isEqualTo(TsigKeyReason.ImportSecretNotFound));
    }

    @Test
    void refusesAKeyShorterThanTheHmacOutputWithoutQuotingIt() {
      String shortKey = Base64.getEncoder().encodeToString("sixteen-bytes-ok".getBytes());
      Secret source = Resources.userSecret("team-a", "acme-user", Map.of("secret", shortKey));

      assertThatThrownBy(() -> compute(key, null, source))
          .isInstanceOfSatisfying(
              KeyNotUsableException.class,
              e -> assertThat(e.reason()).isEqualTo(TsigKeyReason.ImportSecretInvalid))
          .hasMessageContaining("too short for hmac-sha256")
          .hasMessageNotContaining(shortKey);
    }

    @Test
    void refusesAClauseOfAnotherAlgorithm() {
      Secret source =
          Resources.userSecret(
              "team-a", "acme-user", Map.of("secret", TestKeys.ACME512.bindKeyClause()));

      assertThatThrownBy(() -> compute(key, null, source))
          .isInstanceOf(KeyNotUsableException.class)
          .hasMessageContaining("hmac-sha512 but the TsigKey says hmac-sha256");
    }

    @Test
    void namesAMissingDataKeyOrSecret() {
      Secret source = Resources.userSecret("team-a", "acme-user", Map.of("other", "x"));

      assertThatThrownBy(() -> compute(key, null, source))
          .isInstanceOf(KeyNotUsableException.class)
          .hasMessageContaining("no data key 'secret'");
      assertThatThrownBy(() -> compute(key, null, null))
          .isInstanceOfSatisfying(
              KeyNotUsableException.class,
              e -> assertThat(e.reason()).isEqualTo(TsigKeyReason.ImportSecretNotFound))
          .hasMessageContaining("'acme-user'");
    }
  }

  @Test
  void theDataIsWhatTheCodecWrites() throws Exception {
    Result r = compute(key(s -> {}), null);

    assertThat(r.secret().getData()).isEqualTo(KeySecretCodec.toData(r.key()));
    assertThat(r.secret().getData())
        .containsOnlyKeys(
            ApiConstants.SECRET_KEY_NAME,
            ApiConstants.SECRET_ALGORITHM,
            ApiConstants.SECRET_SECRET);
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes());
  }
}
