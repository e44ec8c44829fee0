package io.dnsupdate.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;
import org.xbill.DNS.ZoneTransferException;
import org.xbill.DNS.ZoneTransferIn;

/**
 * What a test asks of any real authoritative server the kit starts (BIND, Knot DNS, PowerDNS): its
 * address, and what it serves right now, by plain queries over TCP and by AXFR.
 */
public interface AuthoritativeServer extends AutoCloseable {

  /** The address and port the server answers DNS on (UDP and TCP). */
  InetSocketAddress socketAddress();

  /** The DNS port. */
  default int port() {
    return socketAddress().getPort();
  }

  /** Stops the server, releases its ports and deletes its directory. */
  @Override
  void close();

  /** Sends a non-recursive query over TCP and returns the answer. */
  default Message query(String name, int type) {
    try {
      return DnsWire.tcp(socketAddress(), DnsWire.newQuery(name, type));
    } catch (IOException e) {
      throw new UncheckedIOException("query " + name + " " + Type.string(type) + " to " + this, e);
    }
  }

  /**
   * The TXT values at the name as served right now (each value's character-strings concatenated);
   * empty when there are none.
   */
  default List<String> txt(String fqdn) {
    Message m = query(fqdn, Type.TXT);
    int rcode = m.getRcode();
    if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
      throw new IllegalStateException("TXT " + fqdn + ": " + Rcode.string(rcode));
    }
    List<String> values = new ArrayList<>();
    for (Record r : m.getSection(Section.ANSWER)) {
      if (r instanceof TXTRecord t) {
        values.add(String.join("", t.getStrings()));
      }
    }
    return values;
  }

  /** The zone's SOA serial as served right now. */
  default long soaSerial(String zone) {
    Message m = query(zone, Type.SOA);
    for (Record r : m.getSection(Section.ANSWER)) {
      if (r instanceof SOARecord soa) {
        return soa.getSerial();
      }
    }
    throw new IllegalStateException("no SOA for " + zone + ": " + m);
  }

  /** Every record of the zone, by AXFR (SOA first and last, as transferred). */
  default List<Record> records(String zone) {
    try {
      ZoneTransferIn xfr =
          ZoneTransferIn.newAXFR(Name.fromString(zone, Name.root), socketAddress(), null);
      xfr.setTimeout(Duration.ofSeconds(10));
      xfr.run();
      return xfr.getAXFR();
    } catch (TextParseException e) {
      throw new IllegalArgumentException("bad zone name " + zone, e);
    } catch (IOException e) {
      throw new UncheckedIOException("AXFR " + zone + " from " + this, e);
    } catch (ZoneTransferException e) {
      throw new IllegalStateException("AXFR " + zone + " from " + this + ": " + e.getMessage(), e);
    }
  }

  /** {@link #records(String)} in presentation format, one record a line-string. */
  default List<String> recordStrings(String zone) {
    return records(zone).stream().map(Record::toString).toList();
  }

  /**
   * The zone's records in presentation format without the SOA, lower-cased and sorted: the same
   * text for the same data on every server, whatever order or case it transfers them in.
   */
  default List<String> zoneContents(String zone) {
    return records(zone).stream()
        .filter(r -> r.getType() != Type.SOA)
        .map(r -> r.toString().toLowerCase(java.util.Locale.ROOT))
        .distinct()
        .sorted()
        .toList();
  }

  /**
   * Runs {@code nsupdate} (over TCP, signed with the key) with the given commands, e.g. {@code
   * "update add _acme-challenge.example.test. 60 TXT \"v\""}; adds the server line and the send.
   */
  default CommandResult nsupdate(TestTsigKey key, String... commands) {
    StringBuilder script = new StringBuilder();
    script.append("server ").append(socketAddress().getHostString()).append(' ').append(port());
    script.append('\n');
    for (String c : commands) {
      script.append(c).append('\n');
    }
    script.append("send\n");
    return Commands.run(
        List.of("nsupdate", "-v", "-t", "10", "-y", key.nsupdateArg()),
        script.toString(),
        Duration.ofSeconds(30));
  }
}
