package io.dnsupdate.operator.tsigkey;

import io.dnsupdate.api.TsigKey;
import io.dnsupdate.config.InvalidKeySecretException;
import io.dnsupdate.config.InvalidSpecException;
import io.dnsupdate.config.KeyMaterial;
import io.dnsupdate.config.KeySettings;
import io.dnsupdate.dns.TsigCredentials;
import io.dnsupdate.operator.tsigkey.KeySecrets.StoredKey;
import io.fabric8.kubernetes.api.model.Secret;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Decides what a TsigKey's key Secret must hold, from the TsigKey, the Secret as it is and (when
 * importing) the user's Secret. The key is generated once and then kept: only a due rotation, the
 * end of a rotation overlap, a changed algorithm or key name, an import, or the loss of the Secret
 * change it. No I/O; time and randomness come in as arguments.
 */
public final class DesiredKeySecret {

  /** What happens to the key. */
  public enum Decision {
    /** The Secret already holds the right key. */
    UNCHANGED,
    /** A first key (or one for a changed algorithm or key name) was generated. */
    GENERATED,
    /** The key Secret was lost (deleted or unreadable): a new key replaces the old one. */
    RECREATED,
    /** The rotation period elapsed: a new key, the previous one kept until the overlap ends. */
    ROTATED,
    /** The rotation overlap ended: the previous key leaves the Secret. */
    OVERLAP_ENDED,
    /** The key was copied from the user's Secret (first time, or it changed there). */
    IMPORTED
  }

  /**
   * The outcome: the decision, the key material, its times and the whole desired Secret.
   *
   * @param rotatesAt when the key will be replaced, or null without rotation
   * @param detail why, for Events and logs (never key material)
   */
  public record Result(
      Decision decision,
      KeyMaterial key,
      Instant generatedAt,
      Instant rotatesAt,
      Secret secret,
      String detail) {
    public Result {
      Objects.requireNonNull(decision, "decision");
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(generatedAt, "generatedAt");
      Objects.requireNonNull(secret, "secret");
    }

    /** The next moment the key Secret must change on its own: rotation or end of overlap. */
    public Optional<Instant> nextChange() {
      return Stream.of(rotatesAt, key.previousExpiresAt())
          .filter(Objects::nonNull)
          .min(Instant::compareTo);
    }

    @Override
    public String toString() {
      // the Secret holds the key: never print it
      return "Result[decision="
          + decision
          + ", key="
          + key
          + ", generatedAt="
          + generatedAt
          + ", rotatesAt="
          + rotatesAt
          + ", secret="
          + secret.getMetadata().getName()
          + "]";
    }
  }

  private DesiredKeySecret() {}

  /**
   * Decides the key Secret of {@code key}.
   *
   * @param existing the key Secret as it is now, or null when absent
   * @param importSource the Secret named in {@code importFrom}, or null when absent or unused
   * @throws InvalidSpecException when the spec cannot be used
   * @throws KeyNotUsableException when the Secret belongs to someone else, or the import fails
   */
  public static Result compute(
      TsigKey key, Secret existing, Secret importSource, Clock clock, SecureRandom random)
      throws KeyNotUsableException {
    return compute(key, KeySettings.parse(key), existing, importSource, clock, random);
  }

  /** {@link #compute(TsigKey, Secret, Secret, Clock, SecureRandom)} with parsed settings. */
  public static Result compute(
      TsigKey key,
      KeySettings settings,
      Secret existing,
      Secret importSource,
      Clock clock,
      SecureRandom random)
      throws KeyNotUsableException {
    Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    if (existing != null && !KeySecrets.managedBy(existing, key)) {
      throw new KeyNotUsableException(
          TsigKeyReason.SecretConflict,
          "Secret '"
              + settings.secretName()
              + "' exists and is not managed by TsigKey '"
              + key.getMetadata().getName()
              + "' (no owner reference or "
              + "dnsupdate.io/tsigkey label for it); the operator leaves it alone: set"
              + " spec.secretName to another name, or delete that Secret");
    }
    StoredKey stored = null;
    String unreadable = null;
    if (existing != null) {
      try {
        stored = KeySecrets.read(existing);
      } catch (InvalidKeySecretException e) {
        unreadable = e.getMessage();
      }
    }
    Plan plan =
        settings.importFrom().isPresent()
            ? imported(key, settings, stored, importSource, now)
            : generated(key, settings, stored, existing != null, unreadable, now, random);
    Instant rotatesAt =
        settings.importFrom().isPresent()
            ? null
            : settings.rotation().map(r -> plan.generatedAt.plus(r.period())).orElse(null);
    Secret secret = KeySecrets.keySecret(key, settings, plan.material, plan.generatedAt);
    return new Result(
        plan.decision, plan.material, plan.generatedAt, rotatesAt, secret, plan.detail);
  }

  private record Plan(
      Decision decision, KeyMaterial material, Instant generatedAt, String detail) {}

  private static Plan imported(
      TsigKey key, KeySettings settings, StoredKey stored, Secret importSource, Instant now)
      throws KeyNotUsableException {
    KeySettings.Import from = settings.importFrom().orElseThrow();
    if (importSource == null) {
      throw new KeyNotUsableException(
          TsigKeyReason.ImportSecretNotFound,
          "Secret '"
              + from.secretName()
              + "' named in importFrom.secretName does not exist in namespace '"
              + key.getMetadata().getNamespace()
              + "'");
    }
    TsigCredentials credentials;
    try {
      credentials = settings.importKey(importSource);
    } catch (InvalidKeySecretException e) {
      // the codec names data keys and what is wrong, never the value
      throw new KeyNotUsableException(TsigKeyReason.ImportSecretInvalid, e.getMessage());
    }
    if (stored != null
        && stored.material().previous() == null
        && stored.material().current().sameKeyAs(credentials)) {
      return new Plan(
          Decision.UNCHANGED,
          stored.material(),
          Objects.requireNonNullElse(stored.generatedAt(), now),
          "key unchanged in Secret '" + from.secretName() + "'");
    }
    return new Plan(
        Decision.IMPORTED,
        KeyMaterial.of(credentials),
        now,
        "imported "
            + credentials.algorithm().bindName()
            + " key '"
            + credentials.keyName()
            + "' (fingerprint "
            + credentials.fingerprint()
            + ") from Secret '"
            + from.secretName()
            + "'");
  }

  private static Plan generated(
      TsigKey key,
      KeySettings settings,
      StoredKey stored,
      boolean secretExists,
      String unreadable,
      Instant now,
      SecureRandom random) {
    if (stored == null) {
      boolean hadKey =
          secretExists || (key.getStatus() != null && key.getStatus().getFingerprint() != null);
      TsigCredentials fresh = fresh(settings, random);
      if (!hadKey) {
        return new Plan(
            Decision.GENERATED, KeyMaterial.of(fresh), now, describe("generated", fresh, settings));
      }
      String why =
          unreadable != null
              ? "Secret '" + settings.secretName() + "' could not be read (" + unreadable + ")"
              : "Secret '" + settings.secretName() + "' was deleted";
      return new Plan(
          Decision.RECREATED,
          KeyMaterial.of(fresh),
          now,
          why + "; generated a NEW key " + describe("", fresh, settings).strip());
    }
    TsigCredentials current = stored.material().current();
    if (!current.keyName().toString().equalsIgnoreCase(settings.keyName())
        || current.algorithm() != settings.algorithm()) {
      TsigCredentials fresh = fresh(settings, random);
      return new Plan(
          Decision.GENERATED,
          KeyMaterial.of(fresh),
          now,
          "key name or algorithm changed (was "
              + current.algorithm().bindName()
              + " '"
              + current.keyName()
              + "'); "
              + describe("generated", fresh, settings));
    }
    Instant generatedAt = Objects.requireNonNullElse(stored.generatedAt(), now);
    Optional<KeySettings.Rotation> rotation = settings.rotation();
    if (rotation.isPresent() && !now.isBefore(generatedAt.plus(rotation.get().period()))) {
      TsigCredentials fresh = fresh(settings, random);
      Instant previousExpiresAt = now.plus(rotation.get().overlap());
      return new Plan(
          Decision.ROTATED,
          KeyMaterial.of(fresh).withPrevious(current, previousExpiresAt),
          now,
          describe("rotated to", fresh, settings)
              + "; the previous key (fingerprint "
              + current.fingerprint()
              + ") stays in the Secret until "
              + KeySecrets.format(previousExpiresAt));
    }
    KeyMaterial material = stored.material();
    if (material.previous() != null && !now.isBefore(material.previousExpiresAt())) {
      return new Plan(
          Decision.OVERLAP_ENDED,
          KeyMaterial.of(current),
          generatedAt,
          "rotation overlap ended: removed the previous key (fingerprint "
              + material.previous().fingerprint()
              + ") from Secret '"
              + settings.secretName()
              + "'");
    }
    return new Plan(Decision.UNCHANGED, material, generatedAt, "key unchanged");
  }

  private static TsigCredentials fresh(KeySettings settings, SecureRandom random) {
    return TsigCredentials.generate(settings.keyName(), settings.algorithm(), random);
  }

  private static String describe(String verb, TsigCredentials key, KeySettings settings) {
    return verb
        + " "
        + key.algorithm().bindName()
        + " key '"
        + key.keyName()
        + "' (fingerprint "
        + key.fingerprint()
        + ") in Secret '"
        + settings.secretName()
        + "'";
  }
}
