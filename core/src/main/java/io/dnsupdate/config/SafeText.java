package io.dnsupdate.config;

/**
 * Text from a resource or Secret (domains, key names, data keys) made safe to quote in an error
 * message, which reaches status conditions, Events and log lines: anything outside printable ASCII
 * becomes '?' and long values are cut with "...", so a value cannot forge or hide a log line. The
 * webhook's {@code LogSafe} does the same for request values.
 */
final class SafeText {
  /** Longest value quoted whole. */
  static final int MAX = 128;

  private SafeText() {}

  /** The value, printable and at most {@value #MAX} characters (then "..."); null as "null". */
  static String of(String s) {
    if (s == null) {
      return "null";
    }
    return printable(s.length() > MAX ? s.substring(0, MAX) + "..." : s);
  }

  /** A whole message whose parts came from elsewhere (a library's), printable, not cut. */
  static String printable(String s) {
    return s == null ? "null" : s.replaceAll("[^\\x20-\\x7e]", "?");
  }
}
