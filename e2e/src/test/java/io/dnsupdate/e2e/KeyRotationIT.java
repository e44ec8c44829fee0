package io.dnsupdate.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dnsupdate.api.DnsUpdateIssuer;
import io.dnsupdate.api.TsigKey;
import io.dnsupdate.e2e.acme.IssuedChain;
import io.dnsupdate.e2e.demo.DemoOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * After the TsigKey rotates, certificates keep coming: first while the nameserver still knows only
 * the previous key (the overlap), then after it has learned the new one.
 */
class KeyRotationIT {
  @TempDir static Path work;

  static LocalStack stack;
  static DemoFlow flow;
  static DnsUpdateIssuer issuer;

  @BeforeAll
  static void start() throws Exception {
    DemoOptions options = DemoOptions.parse(new String[0], Map.of());
    stack = LocalStack.start(work, StepLog.quiet(), options);
    flow = new DemoFlow(stack, new StepLog(System.out), options);
    // overlap shorter than the period: one previous key is kept at a time
    issuer = flow.setUp("20s", "15s");
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void certificatesAreIssuedDuringAndAfterTheOverlap() throws Exception {
    String first = fingerprint();

    String second =
        await("the TsigKey rotates")
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(250))
            .until(KeyRotationIT::fingerprint, f -> f != null && !f.equals(first));

    // the nameserver still has only the previous key: the webhook must fall back to it
    IssuedChain duringOverlap = flow.issue(issuer, List.of("example.test"));
    assertThat(DemoFlow.sans(duringOverlap.leaf())).containsExactly("example.test");

    flow.trustCurrentKey();
    IssuedChain afterReload = flow.issue(issuer, List.of("*.example.test"));
    assertThat(DemoFlow.sans(afterReload.leaf())).containsExactly("*.example.test");
    assertThat(fingerprint()).isEqualTo(second);
    assertThat(flow.leftoverChallengeRecords()).isEmpty();
  }

  private static String fingerprint() {
    TsigKey key =
        stack
            .api()
            .client()
            .resources(TsigKey.class)
            .inNamespace(DemoFlow.NAMESPACE)
            .withName("example-com")
            .get();
    return key == null || key.getStatus() == null ? null : key.getStatus().getFingerprint();
  }
}
