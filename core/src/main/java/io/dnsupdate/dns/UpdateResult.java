package io.dnsupdate.dns;

import java.util.OptionalLong;

/**
 * What an accepted UPDATE did.
 *
 * @param changes how many TXT changes the message carried
 * @param retriedOverTcp whether a truncated UDP answer made us send it again over TCP
 * @param serial the SOA serial of a zone version that holds the changes (read right after them),
 *     when the server moved the serial for them (BIND, Knot and PowerDNS do with every update): any
 *     server of the zone at this serial or later serves them. Empty when the serial did not move,
 *     could not be read, or nothing was sent.
 */
public record UpdateResult(int changes, boolean retriedOverTcp, OptionalLong serial) {
  public UpdateResult {
    serial = serial == null ? OptionalLong.empty() : serial;
  }

  /** An accepted message without a usable serial. */
  public UpdateResult(int changes, boolean retriedOverTcp) {
    this(changes, retriedOverTcp, OptionalLong.empty());
  }
}
