package io.dnsupdate.webhook.challenge;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.dns.DnsUpdateException;
import io.dnsupdate.dns.FailureReason;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A DNS failure reaches the answer, log and metrics with the engine's reason as it is. */
class SolverFailureTest {
  @ParameterizedTest
  @EnumSource(FailureReason.class)
  void dnsFailuresKeepTheEnginesReasonAndMessage(FailureReason reason) {
    DnsUpdateException e = new DnsUpdateException(reason, "nameserver 192.0.2.1:53 (tcp) said no");

    SolverFailure f = SolverFailure.of("while adding", e);
    ChallengeResult result = ChallengeResult.failure(f, "team-a/dns", "x.");

    assertThat(f.reason()).isSameAs(reason);
    assertThat(f).hasCause(e).hasMessage("while adding: nameserver 192.0.2.1:53 (tcp) said no");
    assertThat(result.reason()).isEqualTo(reason.name());
  }

  @Test
  void webhookReasonsAreNotDnsReasons() {
    assertThat(Arrays.stream(SolverFailure.Reason.values()).map(Enum::name))
        .doesNotContainAnyElementsOf(
            Arrays.stream(FailureReason.values()).map(Enum::name).toList());
  }

  @Test
  void webhookReasonsKeepTheirNames() {
    SolverFailure f = new SolverFailure(SolverFailure.Reason.IssuerNotReady, "not Ready");

    assertThat(f.reason()).isEqualTo(SolverFailure.Reason.IssuerNotReady);
    assertThat(ChallengeResult.failure(f, "", "").reason()).isEqualTo("IssuerNotReady");
  }
}
