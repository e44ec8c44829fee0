package io.dnsupdate.dns;

import java.util.List;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Finds the zone that holds a name by asking the authoritative server for the name's SOA: the
 * answer (at a zone apex) or the authority section (below it) names the enclosing zone. No guessing
 * from label counts, which breaks on delegated {@code _acme-challenge} subzones and on multi-label
 * public suffixes.
 */
public final class ZoneFinder {
  private final DnsQuery query;

  public ZoneFinder(DnsQuery query) {
    this.query = query;
  }

  /** The zone this server is authoritative for that contains {@code name}. */
  public Name findZone(Name name) throws DnsUpdateException {
    Message answer = query.query(name, Type.SOA).message();
    String server = "nameserver " + query.endpoint();
    if (answer.getRcode() == Rcode.REFUSED) {
      throw new DnsUpdateException(
          FailureReason.ZoneNotFound,
          server
              + " serves no zone containing '"
              + name
              + "' (REFUSED); point the issuer at the zone's primary nameserver");
    }
    for (Record r : answer.getSection(Section.ANSWER)) {
      if (r instanceof SOARecord && r.getName().equals(name)) {
        return name;
      }
    }
    for (Record r : answer.getSection(Section.AUTHORITY)) {
      if (r instanceof SOARecord && name.subdomain(r.getName())) {
        if (!answer.getHeader().getFlag(Flags.AA)) {
          break;
        }
        return r.getName();
      }
    }
    List<Record> referral =
        answer.getSection(Section.AUTHORITY).stream().filter(NSRecord.class::isInstance).toList();
    if (!referral.isEmpty()) {
      Name child = referral.get(0).getName();
      String servers =
          String.join(
              ", ", referral.stream().map(r -> ((NSRecord) r).getTarget().toString()).toList());
      throw new DnsUpdateException(
          FailureReason.ZoneNotFound,
          "'"
              + name
              + "' is in zone '"
              + child
              + "', delegated by "
              + server
              + " to "
              + servers
              + "; send updates to that zone's primary");
    }
    throw new DnsUpdateException(
        FailureReason.ZoneNotFound,
        server
            + " gave no authoritative SOA for '"
            + name
            + "' ("
            + Rcode.string(answer.getRcode())
            + "); it is not authoritative for a zone containing it");
  }
}
