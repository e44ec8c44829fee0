package io.dnsupdate.dns;

import java.util.Collection;
import java.util.stream.Collectors;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;

/** Turns an error rcode in a verified UPDATE answer into an exception a user can act on. */
final class Rcodes {
  private Rcodes() {}

  static DnsUpdateException updateFailure(
      int rcode, ServerEndpoint endpoint, Name zone, Collection<Name> owners, String who) {
    String names = owners.stream().map(Name::toString).distinct().collect(Collectors.joining(", "));
    String server = "nameserver " + endpoint;
    return switch (rcode) {
      case Rcode.REFUSED ->
          new DnsUpdateException(
              FailureReason.UpdateRefused,
              server
                  + " refused the update of zone '"
                  + zone
                  + "' (REFUSED): "
                  + who
                  + " may not change TXT records at "
                  + names
                  + "; check the zone's update-policy grants");
      case Rcode.NOTZONE ->
          new DnsUpdateException(
              FailureReason.ZoneNotFound,
              server
                  + " answered NOTZONE: "
                  + names
                  + " is not inside zone '"
                  + zone
                  + "'; give the zone that contains the name, or let it be discovered");
      case Rcode.NOTAUTH ->
          new DnsUpdateException(
              FailureReason.ZoneNotFound,
              server
                  + " is not authoritative for zone '"
                  + zone
                  + "' (NOTAUTH); send updates to the zone's primary, or check the zone name (a"
                  + " delegated _acme-challenge subzone is a zone of its own)");
      case Rcode.SERVFAIL ->
          new DnsUpdateException(
              FailureReason.ServerFailure,
              server
                  + " failed to apply the update to zone '"
                  + zone
                  + "' at "
                  + names
                  + " (SERVFAIL); its log says why (a read-only zone file or a journal error are"
                  + " common causes)");
      case Rcode.NOTIMP ->
          new DnsUpdateException(
              FailureReason.ServerFailure,
              server + " does not implement DNS UPDATE for zone '" + zone + "' (NOTIMP)");
      default ->
          new DnsUpdateException(
              FailureReason.ServerFailure,
              server
                  + " answered "
                  + Rcode.string(rcode)
                  + " to the update of zone '"
                  + zone
                  + "' at "
                  + names);
    };
  }
}
