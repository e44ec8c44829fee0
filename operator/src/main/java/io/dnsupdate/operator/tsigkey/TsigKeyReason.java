package io.dnsupdate.operator.tsigkey;

import io.dnsupdate.operator.status.Health.Progress;

/** Reasons of a TsigKey's {@code Ready} condition, and what kstatus should make of each. */
public enum TsigKeyReason {
  /** The key Secret and the nameserver-config Secret are up to date. */
  KeyReady,
  /** The spec cannot be used; the message lists every problem. */
  InvalidSpec,
  /** A Secret the operator would write exists and is not managed by this TsigKey. */
  SecretConflict,
  /**
   * Ready: the Secret named in {@code importFrom} is missing, within its grace period, and the key
   * copied from it stays in use.
   */
  ImportSecretMissing,
  /**
   * The Secret named in {@code importFrom} does not exist, and no copied key can stand in for it
   * (none was copied, or the grace period is over).
   */
  ImportSecretNotFound,
  /** The Secret named in {@code importFrom} holds no usable key. */
  ImportSecretInvalid;

  /**
   * A missing Secret to import is waited for (Reconciling): with GitOps it is often created by
   * another controller (sealed-secrets, external-secrets) moments after the TsigKey. A spec, a
   * Secret or a conflict the operator cannot resolve needs the user (Stalled). A source missing
   * within its grace period is Ready (the copied key works) and Reconciling (the operator waits for
   * the Secret to come back).
   */
  public Progress progress() {
    return switch (this) {
      case KeyReady -> Progress.SETTLED;
      case ImportSecretMissing, ImportSecretNotFound -> Progress.RECONCILING;
      case InvalidSpec, SecretConflict, ImportSecretInvalid -> Progress.STALLED;
    };
  }
}
