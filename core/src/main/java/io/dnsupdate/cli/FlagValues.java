package io.dnsupdate.cli;

import io.dnsupdate.config.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The values of a parsed command line, read by type. A bad value is recorded as a problem naming
 * where it came from (the flag or its environment variable) and a placeholder is returned, so that
 * every value can be read before {@link #check()} reports all problems at once.
 */
public final class FlagValues {
  /** A value and where it came from: {@code --flag} or the environment variable. */
  record Value(String text, String source) {}

  private final Map<String, Value> values;
  private final List<String> problems;
  private final CommandLine commandLine;

  FlagValues(Map<String, Value> values, List<String> problems, CommandLine commandLine) {
    this.values = values;
    this.problems = new ArrayList<>(problems);
    this.commandLine = commandLine;
  }

  /** The text of the flag, or null when neither the flag, its variable nor a default sets it. */
  public String text(String flag) {
    return value(flag).text();
  }

  /** Whether a toggle was given. */
  public boolean isSet(String flag) {
    return "true".equals(text(flag));
  }

  /** {@code true/false}, {@code yes/no}, {@code on/off} or {@code 1/0}. */
  public boolean bool(String flag) {
    return read(
        flag,
        false,
        t ->
            switch (t.toLowerCase(Locale.ROOT)) {
              case "true", "yes", "1", "on" -> true;
              case "false", "no", "0", "off" -> false;
              default -> throw new IllegalArgumentException("'" + t + "' is not true or false");
            });
  }

  /** A whole number in {@code min..max}. */
  public int integer(String flag, int min, int max) {
    return read(
        flag,
        min,
        t -> {
          try {
            int i = Integer.parseInt(t);
            if (i >= min && i <= max) {
              return i;
            }
          } catch (NumberFormatException e) {
            // the message below says what is expected
          }
          throw new IllegalArgumentException("'" + t + "' is not a number in " + min + "-" + max);
        });
  }

  /** A duration like {@code 90s}, {@code 1h30m} or {@code PT90S}; {@code 0} is zero. */
  public Duration duration(String flag) {
    return read(flag, Duration.ZERO, t -> "0".equals(t) ? Duration.ZERO : Durations.parse(t));
  }

  /** A duration longer than zero. */
  public Duration positiveDuration(String flag) {
    return read(
        flag,
        Duration.ofSeconds(1),
        t -> {
          Duration d = Durations.parse(t);
          if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException("must be longer than 0s");
          }
          return d;
        });
  }

  /** One of {@code allowed}, compared without case; returned in lower case. */
  public String oneOf(String flag, Collection<String> allowed) {
    return read(
        flag,
        null,
        t -> {
          String lower = t.toLowerCase(Locale.ROOT);
          if (!allowed.contains(lower)) {
            throw new IllegalArgumentException(
                "'" + t + "' is not one of " + String.join(", ", allowed));
          }
          return lower;
        });
  }

  /**
   * The value converted by {@code parse}, or {@code fallback} when it is unset or bad; an {@link
   * IllegalArgumentException} from {@code parse} becomes a problem prefixed with the source.
   */
  public <T> T read(String flag, T fallback, Function<String, T> parse) {
    Value v = value(flag);
    if (v.text() == null) {
      return fallback;
    }
    try {
      return parse.apply(v.text());
    } catch (IllegalArgumentException e) {
      problems.add(v.source() + ": " + e.getMessage());
      return fallback;
    }
  }

  /** Records a problem with a flag's value, naming where the value came from. */
  public void problem(String flag, String message) {
    problems.add(value(flag).source() + ": " + message);
  }

  /** Records a problem that concerns several flags; the message names them. */
  public void problem(String message) {
    problems.add(message);
  }

  /**
   * @throws UsageException naming every problem, one per line, followed by the usage
   */
  public void check() {
    if (!problems.isEmpty()) {
      throw new UsageException(String.join("\n", problems) + "\n" + commandLine.usage());
    }
  }

  private Value value(String flag) {
    Value v = values.get(flag);
    if (v == null) {
      throw new IllegalArgumentException("no flag --" + flag + " is defined");
    }
    return v;
  }
}
