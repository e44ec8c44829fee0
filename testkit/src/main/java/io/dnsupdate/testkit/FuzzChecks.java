package io.dnsupdate.testkit;

/**
 * What the fuzz tests require of an error, beyond its type: a message a user can read, with no raw
 * control, line-separator or invisible formatting character (any such character came from the input
 * and could forge or hide a log line) and none of the secret values the input held.
 */
public final class FuzzChecks {
  private FuzzChecks() {}

  /**
   * Fails unless the message of {@code error} is non-blank and printable, and neither it nor a
   * cause's message holds any of {@code secrets}.
   */
  public static void requireCleanMessage(Throwable error, String... secrets) {
    String message = error.getMessage();
    if (message == null || message.isBlank()) {
      throw new AssertionError("empty message in " + error.getClass().getName(), error);
    }
    for (int i = 0; i < message.length(); i++) {
      char c = message.charAt(i);
      if (!printable(c)) {
        throw new AssertionError(
            String.format(
                "raw U+%04X at index %d of the message of %s: %s",
                (int) c, i, error.getClass().getName(), visible(message)),
            error);
      }
    }
    for (Throwable t = error; t != null; t = t.getCause()) {
      String m = t.getMessage();
      for (String secret : secrets) {
        if (m != null && secret != null && !secret.isEmpty() && m.contains(secret)) {
          // the secret is not repeated in the failure: the test's own output could be logged
          throw new AssertionError(
              "the message of " + t.getClass().getName() + " holds secret material", error);
        }
      }
    }
  }

  /** Not a control character, a line or paragraph separator, or an invisible format character. */
  public static boolean printable(char c) {
    int type = Character.getType(c);
    return !Character.isISOControl(c)
        && type != Character.LINE_SEPARATOR
        && type != Character.PARAGRAPH_SEPARATOR
        && type != Character.FORMAT
        && type != Character.SURROGATE
        && type != Character.UNASSIGNED;
  }

  /** The text with every unprintable character as \\uXXXX, for a failure message. */
  public static String visible(String s) {
    StringBuilder out = new StringBuilder();
    for (char c : s.toCharArray()) {
      out.append(printable(c) ? String.valueOf(c) : String.format("\\u%04x", (int) c));
    }
    return out.toString();
  }
}
