package io.dnsupdate.config;

import io.dnsupdate.api.ApiConstants;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses durations as Kubernetes users write them: Go style ({@code 1h30m}) or ISO-8601. */
public final class Durations {
  private static final Pattern VALID = Pattern.compile(ApiConstants.DURATION_PATTERN);
  private static final Pattern GO_PART = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ns|us|ms|s|m|h)");
  private static final Map<String, Long> NANOS_PER_UNIT =
      Map.of(
          "ns", 1L,
          "us", 1_000L,
          "ms", 1_000_000L,
          "s", 1_000_000_000L,
          "m", 60_000_000_000L,
          "h", 3_600_000_000_000L);
  private static final BigDecimal MAX_NANOS = BigDecimal.valueOf(Long.MAX_VALUE);

  private Durations() {}

  /**
   * Parses {@code 90s}, {@code 1h30m}, {@code 1.5h}, {@code 720h} (units ns, us, ms, s, m, h) or
   * ISO-8601 {@code PT90S}, {@code P30D}, {@code P1DT12H}.
   *
   * @throws IllegalArgumentException naming the text and the accepted forms
   */
  public static Duration parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("duration is empty");
    }
    String s = text.strip();
    if (!VALID.matcher(s).matches()) {
      throw new IllegalArgumentException(
          "'"
              + text
              + "' is not a duration: write it like 90s, 1h30m or 720h (units ns, us, ms, s, m,"
              + " h) or as ISO-8601 like PT90S or P30D");
    }
    char first = s.charAt(0);
    if (first == 'P' || first == 'p') {
      try {
        return Duration.parse(s.toUpperCase(Locale.ROOT));
      } catch (DateTimeParseException | ArithmeticException e) {
        throw new IllegalArgumentException("'" + text + "' is not a valid ISO-8601 duration");
      }
    }
    BigDecimal nanos = BigDecimal.ZERO;
    Matcher m = GO_PART.matcher(s);
    while (m.find()) {
      nanos =
          nanos.add(
              new BigDecimal(m.group(1))
                  .multiply(BigDecimal.valueOf(NANOS_PER_UNIT.get(m.group(2)))));
    }
    if (nanos.compareTo(MAX_NANOS) > 0) {
      throw new IllegalArgumentException("'" + text + "' is too long a duration");
    }
    return Duration.ofNanos(nanos.longValue());
  }

  /** Go-style text for a duration, e.g. {@code 1h30m}, {@code 45s}, {@code 1.5s}, {@code 0s}. */
  public static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    StringBuilder out = new StringBuilder();
    if (d.isNegative()) {
      out.append('-');
      d = d.negated();
    }
    long hours = d.toHours();
    int minutes = d.toMinutesPart();
    int seconds = d.toSecondsPart();
    int nanos = d.toNanosPart();
    if (hours > 0) {
      out.append(hours).append('h');
    }
    if (minutes > 0) {
      out.append(minutes).append('m');
    }
    if (seconds > 0 || nanos > 0) {
      if (hours == 0 && minutes == 0 && seconds == 0 && nanos % 1_000_000 == 0) {
        out.append(nanos / 1_000_000).append("ms");
      } else {
        out.append(
                BigDecimal.valueOf(seconds)
                    .add(BigDecimal.valueOf(nanos, 9))
                    .stripTrailingZeros()
                    .toPlainString())
            .append('s');
      }
    }
    return out.toString();
  }
}
