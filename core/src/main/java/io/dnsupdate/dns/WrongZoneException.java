package io.dnsupdate.dns;

/** The server is not authoritative for the zone (NOTAUTH), or the name is outside it (NOTZONE). */
public class WrongZoneException extends DnsUpdateException {
  WrongZoneException(String message) {
    super(FailureReason.ZoneNotFound, message);
  }
}
