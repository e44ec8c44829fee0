package io.dnsupdate.operator.status;

import io.dnsupdate.dns.TsigCredentials;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
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

  /**
   * {@code message} without any data value of the given Secrets (nulls ignored), in base64 as
   * stored or decoded: what the API server or an admission webhook may echo of a Secret the
   * operator was writing. Values shorter than 8 characters are left, as they would match ordinary
   * words (the operator's key values are far longer).
   */
  public static String withoutValues(String message, Secret... secrets) {
    String out = message == null ? "" : message;
    for (Secret secret : secrets) {
      if (secret == null) {
        continue;
      }
      List<String> values = new ArrayList<>();
      if (secret.getData() != null) {
        for (String v : secret.getData().values()) {
          values.add(v);
          try {
            values.add(new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8));
          } catch (IllegalArgumentException notBase64) {
            // stored as it is; the raw value is redacted above
          }
        }
      }
      if (secret.getStringData() != null) {
        values.addAll(secret.getStringData().values());
      }
      // longest first, so a value containing another is removed whole
      values.sort(Comparator.comparingInt(String::length).reversed());
      for (String v : values) {
        if (v != null && v.length() >= 8) {
          out = out.replace(v, REDACTED);
        }
      }
    }
    return out;
  }

  /** {@code message} cut to {@link #MAX_LENGTH} characters, marked when cut. */
  public static String truncate(String message) {
    String m = Objects.requireNonNullElse(message, "");
    return m.length() <= MAX_LENGTH ? m : m.substring(0, MAX_LENGTH - 3) + "...";
  }
}
