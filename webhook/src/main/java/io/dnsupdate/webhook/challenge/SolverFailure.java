package io.dnsupdate.webhook.challenge;

import io.dnsupdate.dns.DnsUpdateException;
import io.dnsupdate.dns.FailureReason;
import io.dnsupdate.dns.StatusReason;

/**
 * A challenge cannot be solved; answered as {@code success: false} with the message, never as an
 * HTTP error. Messages say what to fix and never contain key material. The reason is one of the
 * webhook's own ({@link Reason}) or, for a DNS failure, the engine's {@link FailureReason} as it
 * is.
 */
public final class SolverFailure extends Exception {
  /** Why, as a CamelCase value for logs and metrics, when the failure is not a DNS one. */
  public enum Reason implements StatusReason {
    /** The payload is well-formed but not a challenge we can solve (type, key, name, config). */
    InvalidChallenge,
    /** The config names no issuer, or one that does not exist in the challenge's namespace. */
    IssuerNotFound,
    /** The issuer's Ready condition is not True. */
    IssuerNotReady,
    /** The issuer's spec cannot be used. */
    InvalidIssuer,
    /** The name is not under one of the issuer's domains. */
    DomainNotAllowed,
    /**
     * The TsigKey or its Secret, or a Kerberos issuer's keytab Secret, is missing or unreadable.
     */
    KeyUnavailable,
    /** The webhook's caches are not filled yet (just started). */
    NotReady,
    /**
     * The caller stopped waiting (the request budget since its arrival ran out, or it closed its
     * connection) before the UPDATE was sent; nothing was changed.
     */
    Abandoned,
    /** A bug: logged with its stack trace. */
    InternalError
  }

  private final StatusReason reason;

  public SolverFailure(Reason reason, String message) {
    this(reason, message, null);
  }

  public SolverFailure(Reason reason, String message, Throwable cause) {
    this((StatusReason) reason, message, cause);
  }

  /** A DNS failure found by the webhook itself, with the engine's reason. */
  public SolverFailure(FailureReason reason, String message) {
    this(reason, message, null);
  }

  /** A DNS failure, with the engine's reason. */
  public SolverFailure(FailureReason reason, String message, Throwable cause) {
    this((StatusReason) reason, message, cause);
  }

  private SolverFailure(StatusReason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  /** A DNS failure, with its reason and message (which name the server and never the key). */
  public static SolverFailure of(DnsUpdateException e) {
    return new SolverFailure(e.reason(), e.getMessage(), e);
  }

  /** A DNS failure with a prefix saying what was being done. */
  public static SolverFailure of(String context, DnsUpdateException e) {
    return new SolverFailure(e.reason(), context + ": " + e.getMessage(), e);
  }

  /** A {@link Reason} or a {@link FailureReason}; its {@code name()} is what users see. */
  public StatusReason reason() {
    return reason;
  }
}
