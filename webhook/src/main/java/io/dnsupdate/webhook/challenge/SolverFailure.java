package io.dnsupdate.webhook.challenge;

import io.dnsupdate.dns.DnsUpdateException;
import io.dnsupdate.dns.FailureReason;

/**
 * A challenge cannot be solved; answered as {@code success: false} with the message, never as an
 * HTTP error. Messages say what to fix and never contain key material.
 */
public final class SolverFailure extends Exception {
  /** Why, as a CamelCase value for logs and metrics; DNS reasons mirror {@link FailureReason}. */
  public enum Reason {
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
    /** The TsigKey or its Secret is missing or unreadable. */
    KeyUnavailable,
    KeyRejected,
    UpdateRefused,
    UpdateNotApplied,
    ZoneNotFound,
    NameserverUnreachable,
    ServerFailure,
    ResponseNotVerified,
    PropagationTimeout,
    /** The webhook's caches are not filled yet (just started). */
    NotReady,
    /** A bug: logged with its stack trace. */
    InternalError
  }

  private final Reason reason;

  public SolverFailure(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public SolverFailure(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  /** A DNS failure, with its reason and message (which name the server and never the key). */
  public static SolverFailure of(DnsUpdateException e) {
    return new SolverFailure(reasonOf(e.reason()), e.getMessage(), e);
  }

  /** A DNS failure with a prefix saying what was being done. */
  public static SolverFailure of(String context, DnsUpdateException e) {
    return new SolverFailure(reasonOf(e.reason()), context + ": " + e.getMessage(), e);
  }

  static Reason reasonOf(FailureReason r) {
    return switch (r) {
      case KeyRejected -> Reason.KeyRejected;
      case UpdateRefused -> Reason.UpdateRefused;
      case UpdateNotApplied -> Reason.UpdateNotApplied;
      case ZoneNotFound -> Reason.ZoneNotFound;
      case NameserverUnreachable -> Reason.NameserverUnreachable;
      case ServerFailure -> Reason.ServerFailure;
      case ResponseNotVerified -> Reason.ResponseNotVerified;
      case PropagationTimeout -> Reason.PropagationTimeout;
    };
  }

  public Reason reason() {
    return reason;
  }
}
