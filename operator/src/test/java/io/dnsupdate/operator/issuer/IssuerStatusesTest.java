package io.dnsupdate.operator.issuer;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.api.DnsUpdateIssuer;
import io.dnsupdate.api.DnsUpdateIssuerStatus;
import io.dnsupdate.dns.FailureReason;
import io.dnsupdate.operator.status.Conditions;
import io.dnsupdate.operator.testing.MutableClock;
import io.dnsupdate.operator.testing.Resources;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class IssuerStatusesTest {
  private final MutableClock clock = MutableClock.at("2025-06-01T08:00:00Z");
  private final Conditions conditions = new Conditions(clock);

  private static DnsUpdateIssuer issuer(long generation) {
    DnsUpdateIssuer i =
        Resources.issuer(
            "ns", "site", "k", List.of("ns1.example.test"), List.of("example.test"), s -> {});
    i.getMetadata().setGeneration(generation);
    return i;
  }

  private static IssuerOutcome authenticated(String at) {
    return new IssuerOutcome(
        IssuerReason.Authenticated,
        "accepted",
        "example.test.",
        "127.0.0.1:53",
        "k.",
        java.time.Instant.parse(at),
        false);
  }

  @Test
  void aSuccessfulProbeIsReadyWithWhatItFound() {
    DnsUpdateIssuerStatus s =
        IssuerStatuses.from(issuer(4), authenticated("2025-06-01T08:00:00.789Z"), conditions);

    assertThat(s.getZone()).isEqualTo("example.test.");
    assertThat(s.getPrimary()).isEqualTo("127.0.0.1:53");
    assertThat(s.getKeyName()).isEqualTo("k.");
    assertThat(s.getLastProbeTime()).isEqualTo("2025-06-01T08:00:00Z");
    assertThat(s.getObservedGeneration()).isEqualTo(4L);
    Condition ready = Conditions.find(s.getConditions(), "Ready").orElseThrow();
    assertThat(ready.getStatus()).isEqualTo("True");
    assertThat(ready.getReason()).isEqualTo("Authenticated");
  }

  @Test
  void anUnchangedResultKeepsTheTransitionTime() {
    DnsUpdateIssuer issuer = issuer(1);
    issuer.setStatus(
        IssuerStatuses.from(issuer, authenticated("2025-06-01T08:00:00Z"), conditions));
    clock.advance(Duration.ofMinutes(5));

    DnsUpdateIssuerStatus later =
        IssuerStatuses.from(issuer, authenticated("2025-06-01T08:05:00Z"), conditions);

    assertThat(later.getConditions().get(0).getLastTransitionTime())
        .isEqualTo("2025-06-01T08:00:00Z");
    assertThat(later.getLastProbeTime()).isEqualTo("2025-06-01T08:05:00Z");
  }

  @Test
  void aFailureBeforeAnyProbeKeepsTheLastProbeTime() {
    DnsUpdateIssuer issuer = issuer(1);
    issuer.setStatus(
        IssuerStatuses.from(issuer, authenticated("2025-06-01T07:00:00Z"), conditions));

    DnsUpdateIssuerStatus s =
        IssuerStatuses.from(
            issuer, IssuerOutcome.unprobed(IssuerReason.KeyNotReady, "no key"), conditions);

    assertThat(s.getLastProbeTime()).isEqualTo("2025-06-01T07:00:00Z");
    assertThat(s.getPrimary()).isNull();
    assertThat(Conditions.find(s.getConditions(), "Ready").orElseThrow().getStatus())
        .isEqualTo("False");
  }

  @ParameterizedTest
  @EnumSource(FailureReason.class)
  void everyEngineFailureHasAReasonAndAnEvent(FailureReason reason) {
    IssuerReason r = IssuerReason.of(reason);

    assertThat(r).isNotEqualTo(IssuerReason.Authenticated);
    assertThat(r.event().type().text()).isEqualTo("Warning");
  }
}
