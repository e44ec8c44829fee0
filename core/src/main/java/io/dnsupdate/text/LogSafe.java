package io.dnsupdate.text;

import java.util.List;

/**
 * Caller-supplied text (user names and groups from front-proxy headers, a client certificate's CN,
 * request methods and paths, payload fields quoted in an answer's message) made safe for one log
 * line: control characters, escapes and anything outside printable ASCII become '?', double quotes
 * become single ones, and long values are cut, so a value cannot forge a line of its own, close a
 * quoted field ({@code message="..."}) or color a terminal. Anyone who can open a TCP connection
 * reaches the log lines that print these. The one helper for this in the operator, the webhook and
 * core: core quotes values from resources and Secrets (domains, key names, data keys) in error
 * messages, which reach status conditions, Events and log lines.
 */
public final class LogSafe {
  /** Longest value kept whole; Kubernetes user names rarely come near it. */
  public static final int MAX = 128;

  private LogSafe() {}

  /** The value, printable and at most {@value #MAX} characters (then "..."); null as "null". */
  public static String of(String s) {
    return inMessage(s).replace('"', '\'');
  }

  /**
   * The value for quoting inside an error message: printable and at most {@value #MAX} characters
   * (then "..."), double quotes kept; null as "null".
   */
  public static String inMessage(String s) {
    if (s == null) {
      return "null";
    }
    return printable(s.length() > MAX ? s.substring(0, MAX) + "..." : s);
  }

  /** A whole message whose parts came from elsewhere (a library's), printable, not cut. */
  public static String printable(String s) {
    if (s == null) {
      return "null";
    }
    // a scan, not replaceAll: every challenge's log line passes several values through here, and
    // replaceAll compiles its pattern on each call; one '?' per code point, as the pattern did
    int i = 0;
    while (i < s.length() && s.charAt(i) >= 0x20 && s.charAt(i) <= 0x7e) {
      i++;
    }
    if (i == s.length()) {
      return s;
    }
    StringBuilder out = new StringBuilder(s.length()).append(s, 0, i);
    s.codePoints()
        .skip(s.codePointCount(0, i))
        .forEach(c -> out.append(c >= 0x20 && c <= 0x7e ? (char) c : '?'));
    return out.toString();
  }

  /** Each value made safe, in order, as {@code [a, b]}. */
  public static String of(List<String> values) {
    return values == null ? "[]" : values.stream().map(LogSafe::of).toList().toString();
  }
}
