package io.dnsupdate.dns.gss;

import io.dnsupdate.dns.DnsUpdateException;

/**
 * A Kerberos or GSS-TSIG failure. Carries the {@link GssProblem} beside the usual status reason;
 * the message says what to fix and never contains keys, tickets or tokens.
 */
public class GssTsigException extends DnsUpdateException {
  private final GssProblem problem;

  public GssTsigException(GssProblem problem, String message) {
    super(problem.reason(), message);
    this.problem = problem;
  }

  public GssTsigException(GssProblem problem, String message, Throwable cause) {
    super(problem.reason(), message, cause);
    this.problem = problem;
  }

  /** The same failure with {@code was} in its message written as {@code now}. */
  GssTsigException naming(String was, String now) {
    return new GssTsigException(problem, getMessage().replace(was, now), getCause());
  }

  /** What went wrong, in Kerberos/GSS-TSIG terms. */
  public GssProblem problem() {
    return problem;
  }
}
