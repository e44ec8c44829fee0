package io.dnsupdate.dns;

/** No usable answer arrived: connection refused, timeout, or a failed TLS handshake. */
public class NameserverUnreachableException extends DnsUpdateException {
  NameserverUnreachableException(String message, Throwable cause) {
    super(FailureReason.NameserverUnreachable, message, cause);
  }
}
