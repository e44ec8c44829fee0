package io.dnsupdate.webhook.challenge;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.dns.DnsUpdateException;
import io.dnsupdate.dns.FailureReason;
import java.net.ConnectException;
import java.net.SocketException;
import org.junit.jupiter.api.Test;

/** Which failures a lane sends again: the nameserver's transport, never Kerberos's. */
class TransportRetryTest {
  @Test
  void aLostMessageIsResent() {
    assertThat(
            TransportRetry.retryable(
                new DnsUpdateException(
                    FailureReason.NameserverUnreachable, "reset", new SocketException("reset"))))
        .isTrue();
  }

  @Test
  void kerberosFailuresAreNotResent() {
    // a KDC timeout is seconds long, and a refused login is refused again
    assertThat(
            TransportRetry.retryable(
                new DnsUpdateException(
                    FailureReason.KdcUnreachable, "no KDC", new ConnectException("refused"))))
        .isFalse();
    assertThat(
            TransportRetry.retryable(
                new DnsUpdateException(
                    FailureReason.KerberosFailed, "refused", new ConnectException("refused"))))
        .isFalse();
  }
}
