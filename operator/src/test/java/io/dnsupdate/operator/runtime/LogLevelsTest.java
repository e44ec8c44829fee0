package io.dnsupdate.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.dnsupdate.logging.LogLevels;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** LOG_LEVEL as the operator's image applies it (logback is its backend). */
class LogLevelsTest {
  private final Logger own = (Logger) LoggerFactory.getLogger("io.dnsupdate");
  private final Logger http = (Logger) LoggerFactory.getLogger("io.fabric8.kubernetes.client.http");
  private final Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
  private final Level ownBefore = own.getLevel();
  private final Level httpBefore = http.getLevel();
  private final Level rootBefore = root.getLevel();

  @AfterEach
  void restore() {
    own.setLevel(ownBefore);
    http.setLevel(httpBefore);
    root.setLevel(rootBefore);
  }

  @Test
  void setsOurLoggersOnlyAndNeverPrintsHttpBodies() {
    root.setLevel(Level.TRACE);
    http.setLevel(Level.DEBUG);

    assertThat(LogLevels.apply("trace")).isTrue();

    assertThat(own.getLevel()).isEqualTo(Level.TRACE);
    assertThat(root.getLevel()).as("libraries keep their levels").isEqualTo(Level.TRACE);
    assertThat(http.getEffectiveLevel()).as("bodies carry Secrets").isEqualTo(Level.INFO);

    LogLevels.apply("warn");
    assertThat(own.getEffectiveLevel()).isEqualTo(Level.WARN);
  }
}
