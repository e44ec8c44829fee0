package io.dnsupdate.operator.status;

import io.dnsupdate.dns.TsigCredentials;
import java.util.Objects;

/**
 * Last line of defence before a message reaches a status, an Event or a log: removes any key secret
 * it might quote and bounds its length. The engine's and the codec's messages never quote secrets;
 * this makes a future mistake harmless instead of a leak.
 */
public final class SafeMessages {
  /** Event notes are limited to 1 KiB by the API server; conditions keep the same bound. */
  public static final int MAX_LENGTH = 1024;

  private static final String REDACTED = "<redacted>";

  private SafeMessages() {}

  /** {@code message} without the secrets of the given keys (nulls ignored), at most 1 KiB. */
  public static String of(String message, TsigCredentials... keys) {
    String out = message == null ? "" : message;
    for (TsigCredentials key : keys) {
      if (key != null) {
        out = out.replace(key.secretBase64(), REDACTED);
      }
    }
    return truncate(out);
  }

  /** {@code message} cut to {@link #MAX_LENGTH} characters, marked when cut. */
  public static String truncate(String message) {
    String m = Objects.requireNonNullElse(message, "");
    return m.length() <= MAX_LENGTH ? m : m.substring(0, MAX_LENGTH - 3) + "...";
  }
}
