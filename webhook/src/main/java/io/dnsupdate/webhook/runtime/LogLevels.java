package io.dnsupdate.webhook.runtime;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code LOG_LEVEL} to the root logger when logback is the SLF4J backend. Logback is an
 * optional dependency: a process embedding the webhook with another backend keeps its own levels.
 */
public final class LogLevels {
  private static final Logger log = LoggerFactory.getLogger(LogLevels.class);

  private LogLevels() {}

  /** Sets the root level (TRACE, DEBUG, INFO, WARN, ERROR, OFF); null leaves it alone. */
  public static void apply(String level) {
    if (level == null) {
      return;
    }
    if (!LoggerFactory.getILoggerFactory().getClass().getName().startsWith("ch.qos.logback")) {
      log.info("LOG_LEVEL={} ignored: SLF4J is not bound to logback", level);
      return;
    }
    Logback.setRoot(level);
  }

  /** Touches logback classes only when logback is present. */
  private static final class Logback {
    static void setRoot(String level) {
      ch.qos.logback.classic.Logger root =
          (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
      root.setLevel(ch.qos.logback.classic.Level.toLevel(level, ch.qos.logback.classic.Level.INFO));
    }
  }
}
