package io.dnsupdate.dns;

/** The server answered with an error code that says the fault is on its side (e.g. SERVFAIL). */
public class ServerFailureException extends DnsUpdateException {
  ServerFailureException(String message) {
    super(FailureReason.ServerFailure, message);
  }
}
