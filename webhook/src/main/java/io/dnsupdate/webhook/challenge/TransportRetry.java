package io.dnsupdate.webhook.challenge;

import io.dnsupdate.dns.DnsUpdateException;
import io.dnsupdate.dns.FailureReason;
import java.net.UnknownHostException;
import java.time.Duration;
import javax.net.ssl.SSLException;

/**
 * When a message that failed on its way is sent again: a connection reset, refused or timed out is
 * retried, with backoff, at most {@value #ATTEMPTS} attempts in all, and only while a caller still
 * waits. A retry is safe because every message we send is idempotent: adding a value that is
 * already there and deleting one that is not are no-ops (RFC 2136 §3.4.2.2, §3.4.2.4), so a message
 * the server applied before the connection broke changes nothing when it arrives again. Within a
 * lane one message is in flight, so a retry cannot overtake a later change of the same value. After
 * the last attempt the failure goes to the callers, whose publisher then tries the issuer's next
 * nameserver.
 */
final class TransportRetry {
  static final int ATTEMPTS = 3;
  static final Duration FIRST_BACKOFF = Duration.ofMillis(25);

  private TransportRetry() {}

  /** Worth another attempt: a transport failure, not a name that cannot resolve or TLS trust. */
  static boolean retryable(DnsUpdateException e) {
    if (e.reason() != FailureReason.NameserverUnreachable) {
      return false;
    }
    Throwable cause = e.getCause();
    // without a cause it is our own verdict (budget spent), not the network's
    return cause != null
        && !(cause instanceof UnknownHostException)
        && !(cause instanceof SSLException);
  }

  /** The pause before attempt {@code attempt} (2 for the first retry): 25 ms, then 100 ms. */
  static Duration backoff(int attempt) {
    return FIRST_BACKOFF.multipliedBy(1L << (2 * (attempt - 2)));
  }
}
