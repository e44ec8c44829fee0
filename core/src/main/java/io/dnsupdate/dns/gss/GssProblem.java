package io.dnsupdate.dns.gss;

import io.dnsupdate.dns.FailureReason;

/** What went wrong with Kerberos or GSS-TSIG, and the status reason it is reported under. */
public enum GssProblem {
  /** No KDC of the realm answered (refused, timed out, or none found). */
  KDC_UNREACHABLE(FailureReason.KdcUnreachable),
  /** The KDC does not know the client principal. */
  PRINCIPAL_UNKNOWN(FailureReason.KerberosFailed),
  /** The keytab has no key for the principal, or an outdated one (the key was changed since). */
  KEYTAB_REJECTED(FailureReason.KerberosFailed),
  /** This machine's clock and the KDC's (or the nameserver's) differ by more than allowed. */
  CLOCK_SKEW(FailureReason.KerberosFailed),
  /** The KDC does not know the nameserver's service principal (e.g. DNS/ns1.example.com). */
  SERVICE_PRINCIPAL_UNKNOWN(FailureReason.KerberosFailed),
  /**
   * The nameserver did not accept the Kerberos ticket: it has no keytab for its service principal
   * (BIND: tkey-gssapi-keytab), an outdated one, or GSS-TSIG is not enabled.
   */
  CONTEXT_REJECTED(FailureReason.KeyRejected),
  /** The nameserver rejected the signature of a request (TSIG error BADKEY, BADSIG or BADTIME). */
  SIGNATURE_REJECTED(FailureReason.KeyRejected),
  /** The nameserver's answer was unsigned, or its signature did not verify. */
  RESPONSE_NOT_VERIFIED(FailureReason.ResponseNotVerified),
  /** The update-policy does not grant this principal the change (REFUSED). */
  UPDATE_REFUSED(FailureReason.UpdateRefused),
  /** The nameserver answered another error rcode. */
  UPDATE_FAILED(FailureReason.ServerFailure),
  /** The nameserver did not answer in time or refused the TCP connection. */
  NAMESERVER_UNREACHABLE(FailureReason.NameserverUnreachable),
  /** Any other Kerberos or GSS-API failure (the message names it). */
  KERBEROS_FAILURE(FailureReason.KerberosFailed);

  private final FailureReason reason;

  GssProblem(FailureReason reason) {
    this.reason = reason;
  }

  /** The status reason this problem is reported under. */
  public FailureReason reason() {
    return reason;
  }
}
