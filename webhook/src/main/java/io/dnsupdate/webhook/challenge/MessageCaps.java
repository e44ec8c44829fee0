package io.dnsupdate.webhook.challenge;

import io.dnsupdate.dns.TxtChange;
import java.util.HashMap;
import java.util.Map;
import org.xbill.DNS.Name;

/**
 * How much one UPDATE message may carry: at most {@code maxChanges} changes, at most {@value
 * #MAX_VALUES_PER_NAME} values per name (BIND 9.18's {@code max-records-per-type} default refuses
 * more records in one RRset) and at most {@value #MAX_MESSAGE_BYTES} bytes of records, below the 64
 * KiB a message over TCP can hold, with room for header, zone section and TSIG. 1,000 challenges of
 * one zone (43-character values) need two messages.
 */
final class MessageCaps {
  static final int MAX_VALUES_PER_NAME = 100;
  static final int MAX_MESSAGE_BYTES = 60_000;

  private final int maxChanges;
  private final Map<Name, Integer> perName = new HashMap<>();
  private int changes;
  private int bytes;

  MessageCaps(int maxChanges) {
    this.maxChanges = maxChanges;
  }

  /** Counts the change in when it fits; a message always takes its first change. */
  boolean take(TxtChange change) {
    int size = change.wireSize();
    int atName = perName.getOrDefault(change.owner(), 0);
    if (changes > 0
        && (changes >= maxChanges
            || atName >= MAX_VALUES_PER_NAME
            || bytes + size > MAX_MESSAGE_BYTES)) {
      return false;
    }
    perName.put(change.owner(), atName + 1);
    changes++;
    bytes += size;
    return true;
  }
}
