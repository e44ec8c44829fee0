package io.dnsupdate.dns;

/** The answer was not signed, or its signature did not verify, so it proves nothing. */
public class UnverifiedResponseException extends DnsUpdateException {
  UnverifiedResponseException(String message) {
    super(FailureReason.ResponseNotVerified, message);
  }
}
