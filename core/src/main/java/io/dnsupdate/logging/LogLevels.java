package io.dnsupdate.logging;

import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code LOG_LEVEL} the same way in the operator and the webhook: it sets the level of our
 * own loggers ({@code io.dnsupdate}); libraries keep the levels of the logging configuration, and
 * fabric8's HTTP logging never goes below INFO, because at TRACE it prints request and response
 * bodies, which include Secrets.
 *
 * <p>Logback is optional: in a process with another SLF4J backend (a test embedding the webhook)
 * this does nothing and the backend's configuration decides.
 */
public final class LogLevels {
  /** The levels LOG_LEVEL accepts, lower case (the chart's schema lists the same). */
  public static final List<String> NAMES = List.of("trace", "debug", "info", "warn", "error");

  /** Our own loggers. */
  static final String OWN_LOGGERS = "io.dnsupdate";

  /** The logger that prints HTTP bodies, Secrets among them, below INFO. */
  static final String HTTP_LOGGER = "io.fabric8.kubernetes.client.http";

  private LogLevels() {}

  /**
   * Sets {@code io.dnsupdate} to {@code level} (one of {@link #NAMES}) and keeps fabric8's HTTP
   * logger at INFO or above.
   *
   * @return false when logback is not the SLF4J backend and nothing was changed
   */
  public static boolean apply(String level) {
    if (!LoggerFactory.getILoggerFactory().getClass().getName().startsWith("ch.qos.logback")) {
      return false;
    }
    Logback.apply(level);
    return true;
  }

  /** Touches logback classes only when logback is present. */
  private static final class Logback {
    static void apply(String level) {
      var context = (ch.qos.logback.classic.LoggerContext) LoggerFactory.getILoggerFactory();
      context
          .getLogger(OWN_LOGGERS)
          .setLevel(ch.qos.logback.classic.Level.toLevel(level, ch.qos.logback.classic.Level.INFO));
      ch.qos.logback.classic.Logger http = context.getLogger(HTTP_LOGGER);
      if (!http.getEffectiveLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.INFO)) {
        http.setLevel(ch.qos.logback.classic.Level.INFO);
      }
    }
  }
}
