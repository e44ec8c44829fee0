package io.dnsupdate.operator.issuer;

import io.dnsupdate.dns.FailureReason;
import io.dnsupdate.operator.status.EventReason;

/** Reasons of a DnsUpdateIssuer's {@code Ready} condition, each with the Event it is told by. */
public enum IssuerReason {
  /** The primary accepted a request signed with the key for the zone. */
  Authenticated(EventReason.Authenticated),
  /**
   * Ready, but the nameserver let the key write outside its challenge names: it can change the
   * whole zone (PowerDNS without the Lua update policy, BIND with allow-update).
   */
  KeyNotLimited(EventReason.KeyNotLimited),
  /** The spec cannot be used; the message lists every problem. */
  InvalidSpec(EventReason.InvalidSpec),
  /** The TsigKey is missing, not ready, or its Secret is missing or unreadable. */
  KeyNotReady(EventReason.KeyNotReady),
  /** The nameserver does not know the key, the secret differs, or the clocks disagree. */
  KeyRejected(EventReason.KeyRejected),
  /** The nameserver refused the request. */
  UpdateRefused(EventReason.UpdateRefused),
  /**
   * The nameserver answered NOERROR to a TXT change at a challenge name but does not serve it: an
   * update policy refuses it silently (PowerDNS' Lua policy without this key's part).
   */
  UpdateNotApplied(EventReason.UpdateNotApplied),
  /** No zone containing the domains was found on the nameserver, or it is not authoritative. */
  ZoneNotFound(EventReason.ZoneNotFound),
  /** No nameserver answered. */
  NameserverUnreachable(EventReason.NameserverUnreachable),
  /** The nameserver failed (SERVFAIL, NOTIMP, ...). */
  ServerFailure(EventReason.ServerFailure),
  /** The answer was unsigned or its signature did not verify. */
  ResponseNotVerified(EventReason.ResponseNotVerified);

  private final EventReason event;

  IssuerReason(EventReason event) {
    this.event = event;
  }

  /** The Event reason that tells a change to this reason. */
  public EventReason event() {
    return event;
  }

  /** The condition reason for a DNS engine failure. */
  public static IssuerReason of(FailureReason reason) {
    return switch (reason) {
      case KeyRejected -> KeyRejected;
      case UpdateRefused -> UpdateRefused;
      case UpdateNotApplied -> UpdateNotApplied;
      case ZoneNotFound -> ZoneNotFound;
      case NameserverUnreachable -> NameserverUnreachable;
      case ResponseNotVerified -> ResponseNotVerified;
      case ServerFailure, PropagationTimeout -> ServerFailure;
    };
  }
}
