package io.dnsupdate.dns;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.TXTRecord;

/**
 * One change to one TXT value: add it, or delete exactly it (RFC 2136 §2.5.4, class NONE), never
 * the whole RRset, so concurrent challenges at the same name do not clobber each other.
 */
public record TxtChange(Operation operation, Name owner, String value, long ttl) {
  /** What to do with the value. */
  public enum Operation {
    ADD,
    DELETE
  }

  /** A TXT character-string holds at most 255 bytes; longer values are split (RFC 1035 §3.3). */
  private static final int MAX_STRING = 255;

  public TxtChange {
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(value, "value");
    if (!owner.isAbsolute()) {
      throw new IllegalArgumentException("owner name '" + owner + "' must be absolute");
    }
    if (ttl < 0 || ttl > 0x7FFFFFFFL) {
      throw new IllegalArgumentException("TTL " + ttl + " is outside 0-2147483647");
    }
  }

  public static TxtChange add(Name owner, String value, long ttl) {
    return new TxtChange(Operation.ADD, owner, value, ttl);
  }

  public static TxtChange delete(Name owner, String value) {
    return new TxtChange(Operation.DELETE, owner, value, 0);
  }

  /**
   * Bytes this change takes in an UPDATE message at most: owner name uncompressed, type, class,
   * TTL, length and the character-strings. Batches are cut by it to stay below the 64 KiB a DNS
   * message over TCP can hold.
   */
  public int wireSize() {
    int strings = Math.max(1, (value.length() + MAX_STRING - 1) / MAX_STRING);
    return owner.length()
        + 10
        + strings
        + value.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
  }

  /** The record as it goes into the update section (before dnsjava adjusts class for deletes). */
  TXTRecord record() {
    List<String> strings = new ArrayList<>();
    for (int i = 0; i < value.length(); i += MAX_STRING) {
      strings.add(value.substring(i, Math.min(value.length(), i + MAX_STRING)));
    }
    if (strings.isEmpty()) {
      strings.add("");
    }
    return new TXTRecord(owner, DClass.IN, ttl, strings);
  }
}
