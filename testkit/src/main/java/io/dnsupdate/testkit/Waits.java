package io.dnsupdate.testkit;

import java.time.Duration;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/** Awaitility deadlines as the fixtures use them: poll at once, then every 20 ms. */
final class Waits {

  private Waits() {}

  static ConditionFactory within(String alias, Duration timeout) {
    return Awaitility.await(alias)
        .atMost(timeout)
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(20))
        // A library must not install a JVM-wide uncaught-exception handler behind a test's back.
        .dontCatchUncaughtExceptions();
  }
}
