package io.dnsupdate.dns;

import java.time.Instant;
import java.util.Optional;
import org.xbill.DNS.Rcode;

/**
 * The nameserver rejected our TSIG signature: unknown key (BADKEY), wrong secret (BADSIG), skew.
 */
public class TsigRejectedException extends DnsUpdateException {
  private final int tsigError;
  private final Instant serverTime;

  TsigRejectedException(String message, int tsigError, Instant serverTime) {
    super(FailureReason.KeyRejected, message);
    this.tsigError = tsigError;
    this.serverTime = serverTime;
  }

  /** The TSIG error code (RFC 8945 §5.3): BADKEY 17, BADSIG 16, BADTIME 18, ... */
  public int tsigError() {
    return tsigError;
  }

  public String tsigErrorName() {
    return Rcode.TSIGstring(tsigError);
  }

  /** The server's clock, when it told us (BADTIME). */
  public Optional<Instant> serverTime() {
    return Optional.ofNullable(serverTime);
  }
}
