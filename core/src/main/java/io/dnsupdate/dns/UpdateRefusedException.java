package io.dnsupdate.dns;

/** The server authenticated the key but its update-policy does not let it make this change. */
public class UpdateRefusedException extends DnsUpdateException {
  UpdateRefusedException(String message) {
    super(FailureReason.UpdateRefused, message);
  }
}
