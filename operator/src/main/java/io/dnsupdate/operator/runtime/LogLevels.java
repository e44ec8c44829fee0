package io.dnsupdate.operator.runtime;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Applies LOG_LEVEL to the operator's own loggers. Libraries stay at their configured levels, and
 * fabric8's HTTP logging never goes below INFO: at TRACE it prints request and response bodies,
 * which include Secrets.
 */
public final class LogLevels {
  /** Loggers that must never log below INFO. */
  static final String HTTP_LOGGER = "io.fabric8.kubernetes.client.http";

  private LogLevels() {}

  /** Sets {@code io.dnsupdate} to {@code level}; a no-op when logback is not the SLF4J backend. */
  public static void apply(String level) {
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (!(factory instanceof LoggerContext context)) {
      return;
    }
    context.getLogger("io.dnsupdate").setLevel(Level.toLevel(level, Level.INFO));
    ch.qos.logback.classic.Logger http = context.getLogger(HTTP_LOGGER);
    if (http.getEffectiveLevel().isGreaterOrEqual(Level.INFO)) {
      return;
    }
    http.setLevel(Level.INFO);
  }
}
