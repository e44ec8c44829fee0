package io.dnsupdate.operator.tsigkey;

import io.dnsupdate.api.ApiConstants;
import io.dnsupdate.api.TsigKey;
import io.dnsupdate.api.TsigKeyStatus;
import io.dnsupdate.config.KeySettings;
import io.dnsupdate.dns.TsigCredentials;
import io.dnsupdate.operator.status.ApiFailure;
import io.dnsupdate.operator.status.Conditions;
import io.dnsupdate.operator.status.Health;
import io.dnsupdate.operator.status.Health.Progress;
import java.time.Instant;
import java.util.Optional;

/** Builds a TsigKey's status from what the reconciler decided. No I/O. */
final class TsigKeyStatuses {
  private TsigKeyStatuses() {}

  /** Ready: the key Secret and the nameserver-config Secret hold what they should. */
  static TsigKeyStatus ready(
      TsigKey key,
      KeySettings settings,
      DesiredKeySecret.Result result,
      int grants,
      Conditions conditions) {
    TsigCredentials current = result.key().current();
    TsigKeyStatus status = new TsigKeyStatus();
    status.setKeyName(current.keyName().toString());
    status.setAlgorithm(current.algorithm().bindName());
    status.setSecretName(settings.secretName());
    status.setFingerprint(current.fingerprint());
    status.setGeneratedAt(KeySecrets.format(result.generatedAt()));
    status.setRotatesAt(
        Optional.ofNullable(result.rotatesAt()).map(KeySecrets::format).orElse(null));
    status.setPreviousKeyExpiresAt(
        Optional.ofNullable(result.key().previousExpiresAt()).map(KeySecrets::format).orElse(null));
    status.setImportSecretMissingSince(
        Optional.ofNullable(result.sourceMissingSince()).map(KeySecrets::format).orElse(null));
    TsigKeyReason reason =
        result.decision() == DesiredKeySecret.Decision.SOURCE_MISSING
            ? TsigKeyReason.ImportSecretMissing
            : TsigKeyReason.KeyReady;
    String message =
        (reason == TsigKeyReason.ImportSecretMissing ? result.detail() + ". " : "")
            + current.algorithm().bindName()
            + " key '"
            + current.keyName()
            + "' (fingerprint "
            + current.fingerprint()
            + ") is in Secret '"
            + settings.secretName()
            + "'; the nameserver configuration ("
            + grants
            + (grants == 1 ? " update-policy grant" : " update-policy grants")
            + ") is in Secret '"
            + settings.nameserverConfigSecretName()
            + "'";
    return withConditions(
        status, key, previous(key), true, reason, reason.progress(), message, conditions);
  }

  /**
   * Not ready: the condition says why; the other fields keep describing the key Secret as it was
   * last written (it is still there, unchanged).
   */
  static TsigKeyStatus notReady(
      TsigKey key,
      TsigKeyReason reason,
      String message,
      Instant sourceMissingSince,
      Conditions conditions) {
    return notReady(key, reason, reason.progress(), message, sourceMissingSince, conditions);
  }

  /**
   * Not ready because one of the operator's API calls failed: Stalled when someone must grant or
   * fix it, Reconciling while it is retried. The other fields, and {@code
   * importSecretMissingSince}, stay as they were: the call may succeed on the next attempt.
   */
  static TsigKeyStatus apiFailure(TsigKey key, ApiFailure failure, Conditions conditions) {
    Instant missingSince =
        KeySecrets.parse(previous(key).getImportSecretMissingSince()).orElse(null);
    return notReady(
        key,
        failure.reason(),
        failure.reason().progress(),
        failure.message(),
        missingSince,
        conditions);
  }

  private static TsigKeyStatus notReady(
      TsigKey key,
      Enum<?> reason,
      Progress progress,
      String message,
      Instant sourceMissingSince,
      Conditions conditions) {
    TsigKeyStatus old = previous(key);
    TsigKeyStatus status = new TsigKeyStatus();
    status.setKeyName(old.getKeyName());
    status.setAlgorithm(old.getAlgorithm());
    status.setSecretName(old.getSecretName());
    status.setFingerprint(old.getFingerprint());
    status.setGeneratedAt(old.getGeneratedAt());
    status.setRotatesAt(old.getRotatesAt());
    status.setPreviousKeyExpiresAt(old.getPreviousKeyExpiresAt());
    status.setImportSecretMissingSince(
        Optional.ofNullable(sourceMissingSince).map(KeySecrets::format).orElse(null));
    return withConditions(status, key, old, false, reason, progress, message, conditions);
  }

  private static TsigKeyStatus previous(TsigKey key) {
    return key.getStatus() == null ? new TsigKeyStatus() : key.getStatus();
  }

  /** Ready, Reconciling and Stalled for {@code reason}, stamped with the key's generation. */
  private static TsigKeyStatus withConditions(
      TsigKeyStatus status,
      TsigKey key,
      TsigKeyStatus old,
      boolean ready,
      Enum<?> reason,
      Progress progress,
      String message,
      Conditions conditions) {
    Long generation = key.getMetadata().getGeneration();
    status.setConditions(
        conditions.set(
            old.getConditions(), ApiConstants.CONDITION_READY, ready, reason, message, generation));
    status.setConditions(
        Health.apply(conditions, status.getConditions(), progress, reason, message, generation));
    status.setObservedGeneration(generation);
    return status;
  }
}
