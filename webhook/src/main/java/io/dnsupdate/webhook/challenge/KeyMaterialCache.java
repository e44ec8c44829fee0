package io.dnsupdate.webhook.challenge;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.dnsupdate.api.TsigKey;
import io.dnsupdate.cache.Caches;
import io.dnsupdate.config.InvalidKeySecretException;
import io.dnsupdate.config.InvalidSpecException;
import io.dnsupdate.config.KeyMaterial;
import io.dnsupdate.config.KeySecretCodec;
import io.dnsupdate.config.KeySettings;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Key material of TsigKeys, read from their Secrets with {@code get} (Secrets are never listed or
 * watched) and kept while the TsigKey's {@code status.fingerprint} and key Secret stay the same. A
 * changed fingerprint or Secret name, a rejected key or age makes the next challenge read the
 * Secret again. Concurrent challenges for one key share one read. Which Secret, and how an imported
 * key is read from it, come from {@link KeySettings}, as in the operator.
 */
public final class KeyMaterialCache {
  private static final Logger log = LoggerFactory.getLogger(KeyMaterialCache.class);

  /** Re-read even an unchanged fingerprint this often: a hand-edited Secret gets picked up. */
  static final Duration MAX_AGE = Duration.ofMinutes(10);

  /** Without a fingerprint (TsigKey not reconciled yet, imported key) re-read this often. */
  static final Duration MAX_AGE_UNVERSIONED = Duration.ofSeconds(30);

  /** Forced re-reads (after a rejected key) of one Secret at most this often. */
  static final Duration MIN_REFRESH = Duration.ofSeconds(1);

  /** Keys (TsigKey, Secret and fingerprint) whose material is kept. */
  static final int MAX_KEYS = 1024;

  /** Reads one Secret; null when it does not exist. */
  @FunctionalInterface
  public interface SecretReader {
    Secret get(String namespace, String name);

    /**
     * {@link #get}, an API failure told as KeyUnavailable with what to grant.
     *
     * @param where how messages name the Secret and what it is for
     */
    default Secret read(String namespace, String name, String where) throws SolverFailure {
      try {
        return get(namespace, name);
      } catch (KubernetesClientException e) {
        String why =
            e.getCode() == 403
                ? "the webhook is not allowed to read it (it needs 'get' on secrets)"
                : "reading it failed" + (e.getCode() > 0 ? " (HTTP " + e.getCode() + ")" : "");
        throw new SolverFailure(SolverFailure.Reason.KeyUnavailable, where + ": " + why, e);
      }
    }
  }

  /**
   * Usable key material and where it came from.
   *
   * @param material the current (and maybe previous) key
   * @param secretName the Secret it was read from
   * @param fingerprint the TsigKey's status.fingerprint when it was read (may be null)
   * @param readAt when the Secret was read
   */
  public record KeyHandle(
      KeyMaterial material, String secretName, String fingerprint, Instant readAt) {}

  /**
   * What a read depends on: the TsigKey, the Secret its status points to and the fingerprint the
   * operator wrote there. A new fingerprint or Secret is another slot, so it is read afresh.
   */
  private record Slot(
      String namespace, String name, String uid, String secretName, String fingerprint) {}

  private final SecretReader secrets;
  private final Clock clock;
  private final AsyncCache<Slot, KeyHandle> cache;

  /**
   * Parsed once per generation, not per challenge (it was 1.7% of a challenge's CPU); a spec the
   * operator refuses is never kept, so it is parsed again, and refused again, each time.
   */
  private final SpecDerived<TsigKey, KeySettings> bySpec =
      new SpecDerived<>(Caffeine.newBuilder().maximumSize(MAX_KEYS), KeyMaterialCache::parse);

  public KeyMaterialCache(SecretReader secrets, Clock clock) {
    this.secrets = secrets;
    this.clock = clock == null ? Clock.systemUTC() : clock;
    this.cache =
        Caffeine.newBuilder()
            .maximumSize(MAX_KEYS)
            .expireAfter(
                Expiry.writing(
                    (Slot slot, KeyHandle h) ->
                        slot.fingerprint() == null ? MAX_AGE_UNVERSIONED : MAX_AGE))
            .ticker(Caches.ticker(this.clock))
            .buildAsync();
  }

  /** Reads Secrets through the client ({@code get secrets}). */
  public static KeyMaterialCache using(KubernetesClient client, Clock clock) {
    return new KeyMaterialCache(
        (ns, name) -> client.secrets().inNamespace(ns).withName(name).get(), clock);
  }

  /**
   * The key material of a TsigKey, from the cache when still current.
   *
   * @throws SolverFailure KeyUnavailable when the Secret is missing, forbidden or unreadable
   */
  public KeyHandle get(TsigKey key) throws SolverFailure {
    KeySettings settings = bySpec.get(key);
    return Caches.get(cache, slot(key, settings), () -> read(key, settings));
  }

  /**
   * Reads the Secret again after the nameserver rejected {@code stale}, unless another challenge
   * just did.
   */
  public KeyHandle refresh(TsigKey key, KeyHandle stale) throws SolverFailure {
    KeySettings settings = bySpec.get(key);
    Instant recently = clock.instant().minus(MIN_REFRESH);
    return Caches.reload(
        cache,
        slot(key, settings),
        // another challenge read it since, or read it a moment ago: reading again shows the same
        h -> h != stale || h.readAt().isAfter(recently),
        () -> read(key, settings));
  }

  /** Forgets everything (tests). */
  public void clear() {
    cache.synchronous().invalidateAll();
  }

  /** Keys kept right now (tests). */
  long size() {
    cache.synchronous().cleanUp();
    return cache.synchronous().estimatedSize();
  }

  private static Slot slot(TsigKey key, KeySettings settings) {
    return new Slot(
        key.getMetadata().getNamespace(),
        key.getMetadata().getName(),
        key.getMetadata().getUid(),
        settings.secretInUse(key.getStatus()),
        fingerprint(key));
  }

  private KeyHandle read(TsigKey key, KeySettings settings) throws SolverFailure {
    String ns = key.getMetadata().getNamespace();
    String secretName = settings.secretInUse(key.getStatus());
    String where = "Secret " + ns + "/" + secretName + " of TsigKey " + ns + "/" + name(key);
    Secret secret = secrets.read(ns, secretName, where);
    if (secret == null) {
      // a failed read keeps nothing: the next challenge reads again
      throw new SolverFailure(
          SolverFailure.Reason.KeyUnavailable,
          where
              + " does not exist: the operator writes it when it reconciles the TsigKey (see the"
              + " TsigKey's status), or create it for an imported key");
    }
    KeyMaterial material;
    try {
      boolean importSource =
          settings.importFrom().map(i -> i.secretName().equals(secretName)).orElse(false);
      if (importSource && !KeySecretCodec.isKeySecret(secret)) {
        material = KeyMaterial.of(settings.importKey(secret));
      } else {
        material = KeySecretCodec.fromSecret(secret);
      }
    } catch (InvalidKeySecretException e) {
      // the codec's messages name data keys, never secret values
      throw new SolverFailure(SolverFailure.Reason.KeyUnavailable, where + ": " + e.getMessage());
    }
    KeyHandle h = new KeyHandle(material, secretName, fingerprint(key), clock.instant());
    log.debug("read {} ({})", where, material);
    return h;
  }

  /** The TsigKey's settings as the operator validates them; a refused spec names no Secret. */
  private static KeySettings parse(TsigKey key) throws SolverFailure {
    try {
      return KeySettings.parse(key);
    } catch (InvalidSpecException e) {
      // the problems name fields and the user's own values, never key material
      throw new SolverFailure(
          SolverFailure.Reason.KeyUnavailable, "TsigKey " + id(key) + " has an " + e.getMessage());
    }
  }

  private static String fingerprint(TsigKey key) {
    String fp = key.getStatus() == null ? null : key.getStatus().getFingerprint();
    return fp == null || fp.isBlank() ? null : fp;
  }

  private static String name(TsigKey key) {
    return key.getMetadata().getName();
  }

  private static String id(TsigKey key) {
    return key.getMetadata().getNamespace() + "/" + key.getMetadata().getName();
  }
}
