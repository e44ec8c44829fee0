package io.dnsupdate.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnsupdate.cli.UsageException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OperatorOptionsTest {
  @Test
  void defaults() {
    OperatorOptions o = OperatorOptions.parse(new String[0], Map.of());

    assertThat(o.kubeconfig()).isEmpty();
    assertThat(o.watchNamespaces()).isEmpty();
    assertThat(o.leaderElection()).isTrue();
    assertThat(o.leaseNamespace()).isEmpty();
    assertThat(o.leaseName()).isEqualTo("dnsupdate-operator");
    assertThat(o.httpPort()).isEqualTo(8080);
    assertThat(o.logLevel()).isEqualTo("info");
    assertThat(o.probeInterval()).isEqualTo(Duration.ofMinutes(5));
    assertThat(o.cdsTraining()).isFalse();
    assertThat(OperatorOptions.parse(new String[] {"--cds-training"}, Map.of()).cdsTraining())
        .isTrue();
  }

  @Test
  void readsTheChartsEnvironment() {
    OperatorOptions o =
        OperatorOptions.parse(
            new String[0],
            Map.of(
                "WATCH_NAMESPACES", "team-a, team-b,",
                "LEADER_ELECTION", "false",
                "POD_NAMESPACE", "dnsupdate-system",
                "HTTP_PORT", "9090",
                "LOG_LEVEL", "DEBUG"));

    assertThat(o.watchNamespaces()).containsExactlyInAnyOrder("team-a", "team-b");
    assertThat(o.leaderElection()).isFalse();
    assertThat(o.leaseNamespace()).contains("dnsupdate-system");
    assertThat(o.httpPort()).isEqualTo(9090);
    assertThat(o.logLevel()).isEqualTo("debug");
  }

  @Test
  void flagsWinOverTheEnvironment() {
    OperatorOptions o =
        OperatorOptions.parse(
            new String[] {"--kubeconfig=/tmp/kc", "--http-port", "0", "--leader-election=true"},
            Map.of("HTTP_PORT", "9090", "LEADER_ELECTION", "false"));

    assertThat(o.kubeconfig()).contains(Path.of("/tmp/kc"));
    assertThat(o.httpPort()).isZero();
    assertThat(o.leaderElection()).isTrue();
  }

  @Test
  void namesWhatIsWrong() {
    assertThatThrownBy(() -> OperatorOptions.parse(new String[] {"--nope=1"}, Map.of()))
        .isInstanceOf(UsageException.class)
        .hasMessageStartingWith("unknown flag '--nope=1'\nusage: dnsupdate-operator");
    assertThatThrownBy(() -> OperatorOptions.parse(new String[0], Map.of("HTTP_PORT", "http")))
        .hasMessageContaining("HTTP_PORT: 'http' is not a number in 0-65535");
    assertThatThrownBy(
            () -> OperatorOptions.parse(new String[0], Map.of("LEADER_ELECTION", "maybe")))
        .hasMessageContaining("LEADER_ELECTION");
    assertThatThrownBy(() -> OperatorOptions.parse(new String[] {"--probe-interval=0s"}, Map.of()))
        .hasMessageContaining("--probe-interval");
    assertThatThrownBy(() -> OperatorOptions.parse(new String[] {"--help"}, Map.of()))
        .isInstanceOfSatisfying(UsageException.class, e -> assertThat(e.helpRequested()).isTrue());
    assertThat(OperatorOptions.usage()).contains("--watch-namespaces").contains("WATCH_NAMESPACES");
  }

  @Test
  void everyProblemAtOnceInTheSpaceFormToo() {
    assertThatThrownBy(
            () ->
                OperatorOptions.parse(
                    new String[] {"--http-port", "http", "--log-level", "loud"},
                    Map.of("PROBE_INTERVAL", "soon")))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("--http-port: 'http' is not a number in 0-65535")
        .hasMessageContaining("--log-level: 'loud' is not one of trace, debug, info, warn, error")
        .hasMessageContaining("PROBE_INTERVAL: 'soon' is not a duration")
        .hasMessageContaining("usage: dnsupdate-operator");
  }
}
