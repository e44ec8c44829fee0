package io.dnsupdate.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The dry start the image build runs for its class-data archive (operator/cds-archive.sh): it needs
 * no API server, ends on its own, and leaves nothing running. That the archive it yields makes the
 * packaged jar start faster is StartupBenchmark's figure.
 */
class CdsTrainingTest {
  @Test
  void startsWithoutAnApiServerAndEnds() {
    OperatorOptions options =
        OperatorOptions.parse(new String[] {"--cds-training"}, Map.of("HTTP_PORT", "1"));

    assertTimeoutPreemptively(
        Duration.ofSeconds(60), () -> CdsTraining.run(options, Map.of("HOSTNAME", "training")));

    assertThat(Thread.getAllStackTraces().keySet())
        .noneMatch(t -> t.getName().equals("cds-training-api") && t.isAlive())
        .noneMatch(t -> t.getName().startsWith("http-") && t.isAlive());
  }
}
