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
  /** The Secret named in {@code importFrom} does not exist. */
  ImportSecretNotFound,
  /** The Secret named in {@code importFrom} holds no usable key. */
  ImportSecretInvalid;

  /**
   * A missing Secret to import is waited for (Reconciling): with GitOps it is often created by
   * another controller (sealed-secrets, external-secrets) moments after the TsigKey. A spec, a
   * Secret or a conflict the operator cannot resolve needs the user (Stalled).
   */
  public Progress progress() {
    return switch (this) {
      case KeyReady -> Progress.SETTLED;
      case ImportSecretNotFound -> Progress.RECONCILING;
      case InvalidSpec, SecretConflict, ImportSecretInvalid -> Progress.STALLED;
    };
  }
}
