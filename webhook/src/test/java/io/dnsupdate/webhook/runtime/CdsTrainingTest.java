package io.dnsupdate.webhook.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The dry start the image build runs for its class-data archive (scripts/cds-archive.sh): it needs
 * no API server, certificate or nameserver, ends on its own, and leaves nothing running. That the
 * archive it yields makes the packaged jar start faster is StartupBenchmark's figure; that the
 * image starts with it, PackagedJarsIT's.
 */
class CdsTrainingTest {
  @Test
  void startsWithoutAnApiServerAndEnds() {
    WebhookConfig config =
        WebhookConfig.parse(new String[] {"--cds-training"}, Map.of("HTTPS_PORT", "1"));
    assertThat(config.cdsTraining()).isTrue();

    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> CdsTraining.run(config));

    assertThat(Thread.getAllStackTraces().keySet())
        .noneMatch(t -> t.getName().equals("cds-training-api") && t.isAlive())
        .noneMatch(t -> t.getName().startsWith("https") && t.isAlive());
  }
}
