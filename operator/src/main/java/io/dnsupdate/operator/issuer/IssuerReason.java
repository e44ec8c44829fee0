package io.dnsupdate.operator.issuer;

import io.dnsupdate.dns.FailureReason;
import io.dnsupdate.operator.status.EventReason;
import io.dnsupdate.operator.status.Health.Progress;
import java.time.Duration;

/**
 * Reasons of a DnsUpdateIssuer's {@code Ready} condition, each with the Event it is told by, and
 * whether kstatus should see it as work in progress or as stalled ({@link #progress}).
 */
public enum IssuerReason {
  /** The primary accepted a request signed with the key for the zone. */
  Authenticated(EventReason.Authenticated),
  /**
   * Ready, but the nameserver let the key write outside its challenge names: it can change the
   * whole zone (PowerDNS without the Lua update policy, BIND with allow-update).
   */
  KeyNotLimited(EventReason.KeyNotLimited),
  /**
   * Not ready: as {@link #KeyNotLimited}, on an issuer with {@code requireLimitedKey: true}. The
   * webhook solves no challenge with it until the nameserver limits the key.
   */
  KeyTooBroad(EventReason.KeyTooBroad),
  /**
   * Ready Unknown: the operator has seen this generation of the spec and is about to probe. Never
   * told by an Event: the outcome follows within one probe.
   */
  Probing(null),
  /** The spec cannot be used; the message lists every problem. */
  InvalidSpec(EventReason.InvalidSpec),
  /** The TsigKey is missing, not ready, or its Secret is missing or unreadable. */
  KeyNotReady(EventReason.KeyNotReady),
  /**
   * GSS-TSIG: the keytab Secret is missing, cannot be read, or has no keytab under its data key.
   */
  KeytabNotReady(EventReason.KeytabNotReady),
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
  /** GSS-TSIG: no KDC of the principal's realm answered. */
  KdcUnreachable(EventReason.KdcUnreachable),
  /**
   * GSS-TSIG: the KDC refused the login or the nameserver's ticket (unknown principal, outdated
   * keytab, clock skew, no such service principal).
   */
  KerberosFailed(EventReason.KerberosFailed),
  /** The nameserver failed (SERVFAIL, NOTIMP, ...). */
  ServerFailure(EventReason.ServerFailure),
  /** The answer was unsigned or its signature did not verify. */
  ResponseNotVerified(EventReason.ResponseNotVerified);

  private final EventReason event;

  IssuerReason(EventReason event) {
    this.event = event;
  }

  /**
   * What kstatus should make of this reason. Waiting for the TsigKey and a probe in flight are work
   * in progress. A nameserver that does not answer or fails (SERVFAIL) may come back by itself, and
   * a keytab Secret may be on its way (a secrets operator creating it): in progress while it has
   * been failing for less than {@code stallAfter}, stalled after (by then the operator has probed
   * it several times, backing off). Everything else needs someone to change the spec or the
   * nameserver (load the key, add the grants, serve the zone): stalled at once; the operator keeps
   * probing and clears it when the fix lands.
   */
  public Progress progress(Duration failingFor, Duration stallAfter) {
    return switch (this) {
      case Authenticated, KeyNotLimited -> Progress.SETTLED;
      case Probing, KeyNotReady -> Progress.RECONCILING;
      case NameserverUnreachable, KdcUnreachable, ServerFailure, KeytabNotReady ->
          failingFor.compareTo(stallAfter) < 0 ? Progress.RECONCILING : Progress.STALLED;
      case InvalidSpec,
              KeyRejected,
              KerberosFailed,
              UpdateRefused,
              UpdateNotApplied,
              KeyTooBroad,
              ZoneNotFound,
              ResponseNotVerified ->
          Progress.STALLED;
    };
  }

  /** The Event reason that tells a change to this reason (null for {@link #Probing}). */
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
      case KdcUnreachable -> KdcUnreachable;
      case KerberosFailed -> KerberosFailed;
      case ResponseNotVerified -> ResponseNotVerified;
      case ServerFailure, PropagationTimeout -> ServerFailure;
    };
  }
}
