package io.dnsupdate.dns.gss;

import java.time.Duration;
import java.time.Instant;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DNSOutput;
import org.xbill.DNS.Name;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIGRecord;
import org.xbill.DNS.WireParseException;

/**
 * The bytes a TSIG MAC covers (RFC 8945 §4.3.3), for any MAC: the request MAC (answers only), the
 * message without its TSIG record (original ID, ARCOUNT without the TSIG), and the TSIG variables.
 * dnsjava's {@code TSIG} computes HMACs only, so GSS-TSIG (RFC 3645) builds the input here and
 * hands it to {@code GSSContext.getMIC}/{@code verifyMIC}.
 */
final class TsigWire {

  static final Duration FUDGE = Duration.ofSeconds(300);

  private TsigWire() {}

  /** The input of a request's MAC: the message as sent, then the TSIG variables. */
  static byte[] requestDigest(byte[] message, Name keyName, Name algorithm, Instant signed) {
    DNSOutput out = new DNSOutput();
    out.writeByteArray(message);
    variables(out, keyName, algorithm, signed, FUDGE, 0, null);
    return out.toByteArray();
  }

  /** Appends a TSIG record to a message in wire form, counting it in ARCOUNT. */
  static byte[] appendTsig(byte[] message, TSIGRecord tsig) {
    byte[] rr = tsig.toWire(Section.ADDITIONAL);
    byte[] out = new byte[message.length + rr.length];
    System.arraycopy(message, 0, out, 0, message.length);
    System.arraycopy(rr, 0, out, message.length, rr.length);
    int arcount = ((out[10] & 0xff) << 8 | (out[11] & 0xff)) + 1;
    out[10] = (byte) (arcount >>> 8);
    out[11] = (byte) arcount;
    return out;
  }

  /**
   * The input of an answer's MAC.
   *
   * @param requestMac the MAC of the request it answers; null when the request was unsigned
   * @param answer the answer as received, its TSIG record last
   * @param tsig that TSIG record, as parsed
   */
  static byte[] answerDigest(byte[] requestMac, byte[] answer, TSIGRecord tsig)
      throws WireParseException {
    int tsigStart = lastRecordOffset(answer);
    byte[] body = java.util.Arrays.copyOf(answer, tsigStart);
    body[0] = (byte) (tsig.getOriginalID() >>> 8);
    body[1] = (byte) tsig.getOriginalID();
    int arcount = ((body[10] & 0xff) << 8 | (body[11] & 0xff)) - 1;
    body[10] = (byte) (arcount >>> 8);
    body[11] = (byte) arcount;
    DNSOutput out = new DNSOutput();
    if (requestMac != null) {
      out.writeU16(requestMac.length);
      out.writeByteArray(requestMac);
    }
    out.writeByteArray(body);
    variables(
        out,
        tsig.getName(),
        tsig.getAlgorithm(),
        tsig.getTimeSigned(),
        tsig.getFudge(),
        tsig.getError(),
        tsig.getOther());
    return out.toByteArray();
  }

  private static void variables(
      DNSOutput out,
      Name keyName,
      Name algorithm,
      Instant signed,
      Duration fudge,
      int error,
      byte[] other) {
    keyName.toWireCanonical(out);
    out.writeU16(DClass.ANY);
    out.writeU32(0);
    algorithm.toWireCanonical(out);
    long secs = signed.getEpochSecond();
    out.writeU16((int) (secs >>> 32));
    out.writeU32(secs & 0xffffffffL);
    out.writeU16((int) fudge.getSeconds());
    out.writeU16(error);
    if (other == null) {
      out.writeU16(0);
    } else {
      out.writeU16(other.length);
      out.writeByteArray(other);
    }
  }

  /** Offset of the last resource record of a message (where its TSIG record starts). */
  static int lastRecordOffset(byte[] m) throws WireParseException {
    if (m.length < 12) {
      throw new WireParseException("message shorter than its header");
    }
    int qd = u16(m, 4);
    int rrs = u16(m, 6) + u16(m, 8) + u16(m, 10);
    if (rrs == 0) {
      throw new WireParseException("message has no records");
    }
    int p = 12;
    for (int i = 0; i < qd; i++) {
      p = skipName(m, p) + 4;
    }
    int last = -1;
    for (int i = 0; i < rrs; i++) {
      last = p;
      p = skipName(m, p) + 8;
      if (p + 2 > m.length) {
        throw new WireParseException("truncated record");
      }
      p += 2 + u16(m, p);
    }
    if (p != m.length) {
      throw new WireParseException("trailing bytes after the last record");
    }
    return last;
  }

  private static int skipName(byte[] m, int p) throws WireParseException {
    while (true) {
      if (p >= m.length) {
        throw new WireParseException("truncated name");
      }
      int len = m[p] & 0xff;
      if (len == 0) {
        return p + 1;
      }
      if ((len & 0xc0) == 0xc0) {
        return p + 2;
      }
      if ((len & 0xc0) != 0) {
        throw new WireParseException("unknown label type");
      }
      p += 1 + len;
    }
  }

  private static int u16(byte[] m, int p) {
    return (m[p] & 0xff) << 8 | (m[p + 1] & 0xff);
  }
}
