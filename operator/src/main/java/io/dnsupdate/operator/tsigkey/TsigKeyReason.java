package io.dnsupdate.operator.tsigkey;

/** Reasons of a TsigKey's {@code Ready} condition. */
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
  ImportSecretInvalid
}
