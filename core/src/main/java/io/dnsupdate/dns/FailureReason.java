package io.dnsupdate.dns;

/**
 * Why a DNS operation failed, as a CamelCase reason fit for a Kubernetes condition. Stable values:
 * the operator and webhook report them to users.
 */
public enum FailureReason implements StatusReason {
  /** The server does not know the key, the secret does not match, or the clocks differ. */
  KeyRejected,
  /** The server refused the change: the key is not granted that name/type by update-policy. */
  UpdateRefused,
  /**
   * The server answered NOERROR but does not serve the change: an update policy refused it without
   * saying so (PowerDNS' lua-dnsupdate-policy-script), or the server forwarded it elsewhere.
   */
  UpdateNotApplied,
  /** The server is not authoritative for the zone, or the name is not inside it. */
  ZoneNotFound,
  /** No answer within the deadline, connection refused, or a TLS handshake failure. */
  NameserverUnreachable,
  /** The server answered SERVFAIL or another error it did not explain. */
  ServerFailure,
  /** The answer was unsigned or its TSIG signature did not verify: it cannot be trusted. */
  ResponseNotVerified,
  /**
   * GSS-TSIG: no KDC of the realm answered (refused, timed out, or none found by DNS SRV records).
   * Not retried within a request: a KDC timeout is seconds long.
   */
  KdcUnreachable,
  /**
   * GSS-TSIG: the KDC refused the principal's login or its ticket for the nameserver: unknown
   * principal, a keytab with an outdated key, clocks too far apart, or no such service principal.
   */
  KerberosFailed,
  /** Not every authoritative nameserver served the expected data before the deadline. */
  PropagationTimeout
}
