package io.dnsupdate.webhook.challenge;

import io.fabric8.kubernetes.api.model.Secret;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads the keytab Secrets of Kerberos issuers with {@code get}, once per challenge: Secrets are
 * not watched (the webhook may only get them), and only a read tells whether a keytab changed, so
 * every challenge reads its Secret and a changed keytab is used by the very next one. Challenges
 * are few (a Present and a CleanUp per dns-01 challenge), so this costs one API call per call from
 * the API server. Challenges arriving while a read of the same Secret is in flight share it.
 */
final class KeytabSecrets {
  /**
   * A keytab as read, with the version of the Secret it came from.
   *
   * @param secretUid the Secret's uid: a Secret deleted and created again is another keytab
   * @param resourceVersion changes with every write of the Secret
   */
  record Keytab(String secretUid, String resourceVersion, byte[] bytes) {
    @Override
    public String toString() {
      return "Keytab[uid=" + secretUid + ", resourceVersion=" + resourceVersion + "]";
    }
  }

  private record Ref(String namespace, String secret, String key) {}

  private final KeyMaterialCache.SecretReader secrets;
  private final Map<Ref, CompletableFuture<Keytab>> inFlight = new ConcurrentHashMap<>();

  KeytabSecrets(KeyMaterialCache.SecretReader secrets) {
    this.secrets = secrets;
  }

  /**
   * The keytab in data key {@code key} of Secret {@code namespace/secret}.
   *
   * @param owner what refers to the Secret, for messages
   * @throws SolverFailure KeyUnavailable when the Secret or its key is missing or unreadable
   */
  Keytab read(String namespace, String secret, String key, String owner) throws SolverFailure {
    Ref ref = new Ref(namespace, secret, key);
    CompletableFuture<Keytab> mine = new CompletableFuture<>();
    CompletableFuture<Keytab> shared = inFlight.putIfAbsent(ref, mine);
    if (shared != null) {
      try {
        return shared.join();
      } catch (CompletionException e) {
        if (e.getCause() instanceof SolverFailure f) {
          throw new SolverFailure(SolverFailure.Reason.KeyUnavailable, f.getMessage());
        }
        throw e;
      }
    }
    try {
      Keytab k = load(ref, owner);
      mine.complete(k);
      return k;
    } catch (Throwable t) {
      mine.completeExceptionally(t); // the waiters must not wait forever, whatever it was
      throw t;
    } finally {
      inFlight.remove(ref, mine);
    }
  }

  private Keytab load(Ref ref, String owner) throws SolverFailure {
    String where = "Secret " + ref.namespace() + "/" + ref.secret() + " (keytab of " + owner + ")";
    Secret s = secrets.read(ref.namespace(), ref.secret(), where);
    if (s == null) {
      throw new SolverFailure(
          SolverFailure.Reason.KeyUnavailable,
          where
              + " does not exist: create it with the principal's keytab in data key '"
              + ref.key()
              + "'");
    }
    String b64 = s.getData() == null ? null : s.getData().get(ref.key());
    if (b64 == null || b64.isBlank()) {
      throw new SolverFailure(
          SolverFailure.Reason.KeyUnavailable,
          where
              + " has no data key '"
              + ref.key()
              + "' (set kerberos.keytabSecretRef.key to the key holding the keytab)");
    }
    byte[] bytes;
    try {
      bytes = Base64.getMimeDecoder().decode(b64);
    } catch (IllegalArgumentException e) {
      // no cause: the decoder's message may quote the data
      throw new SolverFailure(
          SolverFailure.Reason.KeyUnavailable,
          where + ": data key '" + ref.key() + "' is not base64");
    }
    if (bytes.length == 0) {
      throw new SolverFailure(
          SolverFailure.Reason.KeyUnavailable, where + ": data key '" + ref.key() + "' is empty");
    }
    var meta = s.getMetadata();
    return new Keytab(
        meta == null ? null : meta.getUid(),
        meta == null ? null : meta.getResourceVersion(),
        bytes);
  }
}
