package io.dnsupdate.operator.tsigkey;

import io.dnsupdate.api.TsigKey;
import io.dnsupdate.config.Durations;
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
    IMPORTED,
    /**
     * The Secret to import from is missing, within its grace period: the copied key stays in use.
     */
    SOURCE_MISSING
  }

  /**
   * The outcome: the decision, the key material, its times and the whole desired Secret.
   *
   * @param rotatesAt when the key will be replaced, or null without rotation
   * @param detail why, for Events and logs (never key material)
   * @param sourceMissingSince since when the Secret to import from is missing, or null
   * @param graceEnds when the copied key stops being used for a missing source, or null
   */
  public record Result(
      Decision decision,
      KeyMaterial key,
      Instant generatedAt,
      Instant rotatesAt,
      Secret secret,
      String detail,
      Instant sourceMissingSince,
      Instant graceEnds) {
    public Result {
      Objects.requireNonNull(decision, "decision");
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(generatedAt, "generatedAt");
      Objects.requireNonNull(secret, "secret");
    }

    /**
     * The next moment the key Secret or the status must change on its own: rotation, end of
     * overlap, end of the grace period of a missing source.
     */
    public Optional<Instant> nextChange() {
      return Stream.of(rotatesAt, key.previousExpiresAt(), graceEnds)
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
    Optional<String> conflict =
        existing == null ? Optional.empty() : KeySecrets.conflict(existing, key);
    if (conflict.isPresent()) {
      throw new KeyNotUsableException(
          TsigKeyReason.SecretConflict,
          "Secret '"
              + settings.secretName()
              + "' exists and "
              + conflict.get()
              + "; the operator leaves it alone: set spec.secretName to another name, or delete"
              + " that Secret (and keep it out of Git: the operator writes it)");
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
        plan.decision,
        plan.material,
        plan.generatedAt,
        rotatesAt,
        secret,
        plan.detail,
        plan.sourceMissingSince,
        plan.graceEnds);
  }

  private record Plan(
      Decision decision,
      KeyMaterial material,
      Instant generatedAt,
      String detail,
      Instant sourceMissingSince,
      Instant graceEnds) {
    Plan(Decision decision, KeyMaterial material, Instant generatedAt, String detail) {
      this(decision, material, generatedAt, detail, null, null);
    }
  }

  private static Plan imported(
      TsigKey key, KeySettings settings, StoredKey stored, Secret importSource, Instant now)
      throws KeyNotUsableException {
    KeySettings.Import from = settings.importFrom().orElseThrow();
    if (importSource == null) {
      return missingSource(key, settings, stored, now);
    }
    TsigCredentials credentials;
    try {
      credentials = settings.importKey(importSource);
    } catch (InvalidKeySecretException e) {
      // the codec names data keys and what is wrong, never the value
      throw new KeyNotUsableException(TsigKeyReason.ImportSecretInvalid, e.getMessage());
    }
    if (stored != null && stored.material().current().sameKeyAs(credentials)) {
      KeyMaterial material = stored.material();
      Instant generatedAt = Objects.requireNonNullElse(stored.generatedAt(), now);
      if (material.previous() != null && !now.isBefore(material.previousExpiresAt())) {
        return new Plan(
            Decision.OVERLAP_ENDED,
            KeyMaterial.of(material.current()),
            generatedAt,
            "import overlap ended: removed the previously imported key (fingerprint "
                + material.previous().fingerprint()
                + ") from Secret '"
                + settings.secretName()
                + "'");
      }
      return new Plan(
          Decision.UNCHANGED,
          material,
          generatedAt,
          "key unchanged in Secret '" + from.secretName() + "'");
    }
    KeyMaterial material = KeyMaterial.of(credentials);
    String kept = "";
    if (stored != null && !from.overlap().isZero()) {
      TsigCredentials before = stored.material().current();
      if (before.keyName().equals(credentials.keyName())
          && before.algorithm() == credentials.algorithm()) {
        Instant until = now.plus(from.overlap());
        material = material.withPrevious(before, until);
        kept =
            "; the previous key (fingerprint "
                + before.fingerprint()
                + ") stays in Secret '"
                + settings.secretName()
                + "' until "
                + KeySecrets.format(until);
      }
    }
    return new Plan(
        Decision.IMPORTED,
        material,
        now,
        "imported "
            + credentials.algorithm().bindName()
            + " key '"
            + credentials.keyName()
            + "' (fingerprint "
            + credentials.fingerprint()
            + ") from Secret '"
            + from.secretName()
            + "'"
            + kept);
  }

  /**
   * The source Secret is gone. A key already copied stays in use for the grace period (a
   * sealed-secrets or external-secrets refresh re-creates the Secret within moments); without a
   * copy, or after the grace period, the TsigKey is not ready.
   */
  private static Plan missingSource(
      TsigKey key, KeySettings settings, StoredKey stored, Instant now)
      throws KeyNotUsableException {
    KeySettings.Import from = settings.importFrom().orElseThrow();
    Instant since =
        Optional.ofNullable(key.getStatus())
            .flatMap(s -> KeySecrets.parse(s.getImportSecretMissingSince()))
            .orElse(now);
    String missing =
        "Secret '"
            + from.secretName()
            + "' named in importFrom.secretName does not exist in namespace '"
            + key.getMetadata().getNamespace()
            + "'";
    Instant graceEnds = since.plus(from.gracePeriod());
    // a copy made for another key name or algorithm (the spec changed) cannot stand in
    boolean usableCopy =
        stored != null
            && stored.material().current().keyName().toString().equalsIgnoreCase(settings.keyName())
            && stored.material().current().algorithm() == settings.algorithm();
    if (!usableCopy || !now.isBefore(graceEnds)) {
      throw new KeyNotUsableException(
          TsigKeyReason.ImportSecretNotFound,
          !usableCopy
              ? missing
              : missing
                  + " (missing since "
                  + KeySecrets.format(since)
                  + ", longer than importFrom.gracePeriod "
                  + Durations.format(from.gracePeriod())
                  + ")",
          since);
    }
    KeyMaterial material = stored.material();
    if (material.previous() != null && !now.isBefore(material.previousExpiresAt())) {
      material = KeyMaterial.of(material.current());
    }
    return new Plan(
        Decision.SOURCE_MISSING,
        material,
        Objects.requireNonNullElse(stored.generatedAt(), now),
        missing
            + " since "
            + KeySecrets.format(since)
            + "; the key copied into Secret '"
            + settings.secretName()
            + "' (fingerprint "
            + material.current().fingerprint()
            + ") stays in use until "
            + KeySecrets.format(graceEnds)
            + " (importFrom.gracePeriod), then the TsigKey is not ready",
        since,
        graceEnds);
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
