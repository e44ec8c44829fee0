package io.dnsupdate.operator.status;

/** Reasons of the Kubernetes Events the operator records, each with its Event type. */
public enum EventReason {
  /** A TsigKey got its first key. */
  KeyGenerated(Type.NORMAL),
  /** A TsigKey's key was copied from the user's Secret. */
  KeyImported(Type.NORMAL),
  /** A TsigKey's key was replaced on schedule; the previous one is kept for the overlap. */
  KeyRotated(Type.NORMAL),
  /** The rotation overlap ended and the previous key left the Secret. */
  PreviousKeyRemoved(Type.NORMAL),
  /** The key Secret was deleted and a new key generated: the nameserver must learn it. */
  SecretRecreated(Type.WARNING),
  /** A Secret the operator would write exists and belongs to someone else. */
  SecretConflict(Type.WARNING),
  /** A Kerberos issuer's nameserver-config ConfigMap exists and belongs to someone else. */
  NameserverConfigConflict(Type.WARNING),
  /** The Secret named in importFrom is missing or holds no usable key. */
  ImportFailed(Type.WARNING),
  /** The Secret named in importFrom is missing; the copied key stays in use for a grace period. */
  ImportSecretMissing(Type.WARNING),
  /** The spec cannot be used; the message lists every problem. */
  InvalidSpec(Type.WARNING),
  /** An issuer's probe was accepted by its nameserver. */
  Authenticated(Type.NORMAL),
  /** The nameserver accepted the key, and also a change outside its challenge names. */
  KeyNotLimited(Type.WARNING),
  /** As KeyNotLimited, on an issuer that requires a limited key: it is not Ready. */
  KeyTooBroad(Type.WARNING),
  /** The nameserver accepted only the previous key of a rotation overlap. */
  NameserverUsesPreviousKey(Type.WARNING),
  KeyNotReady(Type.WARNING),
  /** A Kerberos issuer's keytab Secret is missing or holds no keytab. */
  KeytabNotReady(Type.WARNING),
  KeyRejected(Type.WARNING),
  UpdateRefused(Type.WARNING),
  UpdateNotApplied(Type.WARNING),
  ZoneNotFound(Type.WARNING),
  NameserverUnreachable(Type.WARNING),
  KdcUnreachable(Type.WARNING),
  KerberosFailed(Type.WARNING),
  ServerFailure(Type.WARNING),
  ResponseNotVerified(Type.WARNING),
  /** The API server refused one of the operator's calls: RBAC must grant it (see ApiFailure). */
  ApiForbidden(Type.WARNING),
  /** The API server (or an admission webhook) rejected one of the operator's writes as invalid. */
  ApiRejected(Type.WARNING),
  /** One of the operator's writes kept conflicting with another writer. */
  ApiConflict(Type.WARNING),
  /** The API server failed or did not answer one of the operator's calls. */
  ApiUnavailable(Type.WARNING);

  /** The two Event types Kubernetes knows. */
  public enum Type {
    NORMAL("Normal"),
    WARNING("Warning");

    private final String text;

    Type(String text) {
      this.text = text;
    }

    /** As written in an Event's {@code type}. */
    public String text() {
      return text;
    }
  }

  private final Type type;

  EventReason(Type type) {
    this.type = type;
  }

  public Type type() {
    return type;
  }
}
