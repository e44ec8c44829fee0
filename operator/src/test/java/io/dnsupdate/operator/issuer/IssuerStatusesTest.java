package io.dnsupdate.operator.issuer;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.api.DnsUpdateIssuer;
import io.dnsupdate.api.DnsUpdateIssuerStatus;
import io.dnsupdate.api.OutsideGrants;
import io.dnsupdate.dns.FailureReason;
import io.dnsupdate.operator.status.Conditions;
import io.dnsupdate.operator.testing.Resources;
import io.dnsupdate.testkit.MutableClock;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class IssuerStatusesTest {
  private final MutableClock clock = MutableClock.at("2025-06-01T08:00:00Z");
  private final Conditions conditions = new Conditions(clock);
  private static final Duration STALL_AFTER = Duration.ofSeconds(30);

  private DnsUpdateIssuerStatus from(DnsUpdateIssuer issuer, IssuerOutcome outcome) {
    return IssuerStatuses.from(issuer, outcome, conditions, STALL_AFTER, clock.instant());
  }

  private static DnsUpdateIssuer issuer(long generation) {
    DnsUpdateIssuer i =
        Resources.issuer(
            "ns", "site", "k", List.of("ns1.example.test"), List.of("example.test"), s -> {});
    i.getMetadata().setGeneration(generation);
    return i;
  }

  private static IssuerOutcome authenticated(String at) {
    return authenticated(at, OutsideGrants.Refused);
  }

  private static IssuerOutcome authenticated(String at, OutsideGrants outside) {
    return new IssuerOutcome(
        IssuerReason.Authenticated,
        "accepted",
        "example.test.",
        "127.0.0.1:53",
        "k.",
        java.time.Instant.parse(at),
        false,
        outside);
  }

  @Test
  void aSuccessfulProbeIsReadyWithWhatItFound() {
    DnsUpdateIssuerStatus s = from(issuer(4), authenticated("2025-06-01T08:00:00.789Z"));

    assertThat(s.getZone()).isEqualTo("example.test.");
    assertThat(s.getPrimary()).isEqualTo("127.0.0.1:53");
    assertThat(s.getKeyName()).isEqualTo("k.");
    assertThat(s.getOutsideGrants()).isEqualTo(OutsideGrants.Refused);
    assertThat(s.getLastProbeTime()).isEqualTo("2025-06-01T08:00:00Z");
    assertThat(s.getObservedGeneration()).isEqualTo(4L);
    Condition ready = Conditions.find(s.getConditions(), "Ready").orElseThrow();
    assertThat(ready.getStatus()).isEqualTo("True");
    assertThat(ready.getReason()).isEqualTo("Authenticated");
  }

  @Test
  void anUnchangedResultKeepsTheTransitionTimeAndTheLastProbeTime() {
    DnsUpdateIssuer issuer = issuer(1);
    issuer.setStatus(from(issuer, authenticated("2025-06-01T08:00:00Z")));
    clock.advance(Duration.ofMinutes(5));

    DnsUpdateIssuerStatus later = from(issuer, authenticated("2025-06-01T08:05:00Z"));

    assertThat(later.getConditions().get(0).getLastTransitionTime())
        .isEqualTo("2025-06-01T08:00:00Z");
    assertThat(later.getLastProbeTime()).isEqualTo("2025-06-01T08:00:00Z");
    // nothing for the reconciler to patch: a steady issuer's status stops changing
    assertThat(later).isEqualTo(issuer.getStatus());
  }

  @Test
  void aChangedOutcomeMovesTheLastProbeTime() {
    DnsUpdateIssuer issuer = issuer(1);
    issuer.setStatus(from(issuer, authenticated("2025-06-01T08:00:00Z")));
    clock.advance(Duration.ofMinutes(5));

    DnsUpdateIssuerStatus later = from(issuer, unreachable("2025-06-01T08:05:00Z"));

    assertThat(later.getLastProbeTime()).isEqualTo("2025-06-01T08:05:00Z");
  }

  /** What the webhook trusts without read-backs changed: the status must tell when it was seen. */
  @Test
  void aChangedOutsideGrantsMovesTheLastProbeTime() {
    DnsUpdateIssuer issuer = issuer(1);
    issuer.setStatus(from(issuer, authenticated("2025-06-01T08:00:00Z")));
    clock.advance(Duration.ofMinutes(5));

    DnsUpdateIssuerStatus later =
        from(issuer, authenticated("2025-06-01T08:05:00Z", OutsideGrants.RefusedSilently));

    assertThat(later.getOutsideGrants()).isEqualTo(OutsideGrants.RefusedSilently);
    assertThat(later.getLastProbeTime()).isEqualTo("2025-06-01T08:05:00Z");
  }

  @Test
  void readyIsNeitherReconcilingNorStalled() {
    DnsUpdateIssuerStatus s = from(issuer(2), authenticated("2025-06-01T08:00:00Z"));

    assertThat(statusOf(s, "Ready")).isEqualTo("True");
    assertThat(statusOf(s, "Reconciling")).isEqualTo("False");
    assertThat(statusOf(s, "Stalled")).isEqualTo("False");
    assertThat(s.getConditions())
        .allSatisfy(c -> assertThat(c.getObservedGeneration()).isEqualTo(2L));
  }

  @Test
  void aNewGenerationIsProbingWithReadyUnknown() {
    DnsUpdateIssuer issuer = issuer(1);
    issuer.setStatus(from(issuer, authenticated("2025-06-01T08:00:00Z")));
    issuer.getMetadata().setGeneration(2L);

    assertThat(IssuerStatuses.unseenGeneration(issuer)).isTrue();
    DnsUpdateIssuerStatus s =
        IssuerStatuses.probing(issuer, conditions, STALL_AFTER, clock.instant());

    assertThat(statusOf(s, "Ready")).isEqualTo("Unknown");
    assertThat(Conditions.reason(s.getConditions(), "Ready")).isEqualTo("Probing");
    assertThat(statusOf(s, "Reconciling")).isEqualTo("True");
    assertThat(statusOf(s, "Stalled")).isEqualTo("False");
    assertThat(s.getObservedGeneration()).isEqualTo(2L);
    assertThat(s.getLastProbeTime()).isEqualTo("2025-06-01T08:00:00Z");
    assertThat(s.getOutsideGrants()).isEqualTo(OutsideGrants.Refused);
    issuer.setStatus(s);
    assertThat(IssuerStatuses.unseenGeneration(issuer)).isFalse();
  }

  @Test
  void waitingForTheKeyIsReconciling() {
    DnsUpdateIssuerStatus s =
        from(issuer(1), IssuerOutcome.unprobed(IssuerReason.KeyNotReady, "no key"));

    assertThat(statusOf(s, "Ready")).isEqualTo("False");
    assertThat(statusOf(s, "Reconciling")).isEqualTo("True");
    assertThat(Conditions.reason(s.getConditions(), "Reconciling")).isEqualTo("KeyNotReady");
    assertThat(statusOf(s, "Stalled")).isEqualTo("False");
  }

  @Test
  void aMissingKeytabIsReconcilingForTheRetryIntervalThenStalled() {
    // a secrets operator may be about to create the Secret; after that, a person must
    DnsUpdateIssuer issuer = issuer(1);
    IssuerOutcome missing = IssuerOutcome.unprobed(IssuerReason.KeytabNotReady, "no keytab");
    issuer.setStatus(from(issuer, missing));
    assertThat(statusOf(issuer.getStatus(), "Reconciling")).isEqualTo("True");
    assertThat(statusOf(issuer.getStatus(), "Stalled")).isEqualTo("False");

    clock.advance(STALL_AFTER);
    DnsUpdateIssuerStatus s = from(issuer, missing);
    assertThat(statusOf(s, "Stalled")).isEqualTo("True");
    assertThat(Conditions.reason(s.getConditions(), "Stalled")).isEqualTo("KeytabNotReady");
    assertThat(statusOf(s, "Reconciling")).isEqualTo("False");
  }

  @ParameterizedTest
  @EnumSource(
      value = IssuerReason.class,
      names = {"InvalidSpec", "KeyRejected", "KerberosFailed", "UpdateRefused", "ZoneNotFound"})
  void whatNeedsTheUserIsStalledAtOnce(IssuerReason reason) {
    DnsUpdateIssuerStatus s = from(issuer(1), IssuerOutcome.unprobed(reason, "fix it"));

    assertThat(statusOf(s, "Ready")).isEqualTo("False");
    assertThat(statusOf(s, "Stalled")).isEqualTo("True");
    assertThat(Conditions.find(s.getConditions(), "Stalled").orElseThrow().getMessage())
        .isEqualTo("fix it");
    assertThat(statusOf(s, "Reconciling")).isEqualTo("False");
  }

  @Test
  void anUnreachableNameserverIsRetriedThenStalled() {
    DnsUpdateIssuer issuer = issuer(1);
    issuer.setStatus(from(issuer, unreachable("2025-06-01T08:00:00Z")));
    assertThat(statusOf(issuer.getStatus(), "Reconciling")).isEqualTo("True");
    assertThat(statusOf(issuer.getStatus(), "Stalled")).isEqualTo("False");

    clock.advance(STALL_AFTER.minusSeconds(1));
    issuer.setStatus(from(issuer, unreachable("2025-06-01T08:00:29Z")));
    assertThat(statusOf(issuer.getStatus(), "Stalled")).isEqualTo("False");

    clock.advance(Duration.ofSeconds(1));
    DnsUpdateIssuerStatus s = from(issuer, unreachable("2025-06-01T08:00:30Z"));
    assertThat(statusOf(s, "Stalled")).isEqualTo("True");
    assertThat(Conditions.reason(s.getConditions(), "Stalled")).isEqualTo("NameserverUnreachable");
    assertThat(statusOf(s, "Reconciling")).isEqualTo("False");
  }

  @ParameterizedTest
  @EnumSource(IssuerReason.class)
  void everyReasonHasAProgress(IssuerReason reason) {
    assertThat(reason.progress(Duration.ZERO, STALL_AFTER)).isNotNull();
  }

  private static IssuerOutcome unreachable(String at) {
    return new IssuerOutcome(
        IssuerReason.NameserverUnreachable,
        "no answer",
        null,
        null,
        "k.",
        java.time.Instant.parse(at),
        false);
  }

  private static String statusOf(DnsUpdateIssuerStatus s, String type) {
    return Conditions.find(s.getConditions(), type).map(Condition::getStatus).orElse(null);
  }

  @Test
  void aFailureBeforeAnyProbeKeepsTheLastProbeTime() {
    DnsUpdateIssuer issuer = issuer(1);
    issuer.setStatus(from(issuer, authenticated("2025-06-01T07:00:00Z")));

    DnsUpdateIssuerStatus s =
        from(issuer, IssuerOutcome.unprobed(IssuerReason.KeyNotReady, "no key"));

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
