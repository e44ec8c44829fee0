package io.dnsupdate.dns;

/**
 * A DNS operation failed. The message names the server, zone, owner name and the rcode or TSIG
 * error, says what to do about it, and never contains key material.
 */
public class DnsUpdateException extends Exception {
  private final FailureReason reason;

  public DnsUpdateException(FailureReason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public DnsUpdateException(FailureReason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  /** The CamelCase reason for status conditions. */
  public FailureReason reason() {
    return reason;
  }
}
