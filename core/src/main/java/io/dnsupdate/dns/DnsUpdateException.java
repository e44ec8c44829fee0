package io.dnsupdate.dns;

/**
 * A DNS operation failed. The message names the server, zone, owner name and the rcode or TSIG
 * error, says what to do about it, and never contains key material. Callers act on {@link
 * #reason()}; a subclass exists only where it carries typed data ({@link TsigRejectedException}:
 * the TSIG error and the server's clock, {@link PropagationTimeoutException}: the lagging servers).
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

  /**
   * The failure a future's {@link java.util.concurrent.ExecutionException} carries, for the caller
   * to throw: a DnsUpdateException as it is; a runtime exception is thrown here as it is, anything
   * else wrapped.
   */
  public static DnsUpdateException causeOf(java.util.concurrent.ExecutionException e) {
    if (e.getCause() instanceof DnsUpdateException d) {
      return d;
    }
    if (e.getCause() instanceof RuntimeException r) {
      throw r;
    }
    throw new IllegalStateException(e.getCause());
  }
}
