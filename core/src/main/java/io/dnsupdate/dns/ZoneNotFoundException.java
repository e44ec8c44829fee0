package io.dnsupdate.dns;

/** Zone discovery found no zone on the nameserver that contains the name. */
public class ZoneNotFoundException extends DnsUpdateException {
  ZoneNotFoundException(String message) {
    super(FailureReason.ZoneNotFound, message);
  }
}
