package io.dnsupdate.operator.issuer;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.api.DnsUpdateIssuerSpec;
import io.dnsupdate.api.OutsideGrants;
import io.dnsupdate.config.IssuerSettings;
import io.dnsupdate.config.KeyMaterial;
import io.dnsupdate.dns.TsigAlgorithm;
import io.dnsupdate.dns.TsigCredentials;
import io.dnsupdate.operator.testing.OperatorFixture;
import io.dnsupdate.testkit.NamedExtension;
import io.dnsupdate.testkit.NamedServer;
import io.dnsupdate.testkit.TestKeys;
import io.dnsupdate.testkit.TestTsigKey;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The probe against a real BIND, without Kubernetes. */
@ExtendWith(NamedExtension.class)
class IssuerProbeIT {
  private final IssuerProbe probe = new IssuerProbe(Clock.systemUTC());

  private static IssuerSettings settings(List<String> nameservers, List<String> domains) {
    DnsUpdateIssuerSpec spec = new DnsUpdateIssuerSpec();
    spec.setNameservers(nameservers);
    spec.setDomains(domains);
    spec.setTsigKeyRef(new DnsUpdateIssuerSpec.TsigKeyRef("k"));
    spec.setTimeout("3s");
    return IssuerSettings.parse(spec);
  }

  private static TsigCredentials credentials(TestTsigKey key) {
    return TsigCredentials.fromBase64(
        key.name(), TsigAlgorithm.parse(key.algorithm(), false), key.secret());
  }

  private static TsigCredentials random(String name) {
    return TsigCredentials.generate(name, TsigAlgorithm.HMAC_SHA256, new SecureRandom());
  }

  @Test
  void findsEveryZoneAndAuthenticates(NamedServer named) {
    IssuerSettings s =
        settings(List.of("127.0.0.1:" + named.port()), List.of("example.test", "a.example.test"));

    IssuerOutcome outcome = probe.probe(s, KeyMaterial.of(credentials(TestKeys.ACME)));

    assertThat(outcome.reason()).isEqualTo(IssuerReason.Authenticated);
    assertThat(outcome.zone()).isEqualTo("example.test.");
    assertThat(outcome.primary()).isEqualTo("127.0.0.1:" + named.port());
    assertThat(outcome.keyName()).isEqualTo("acme-key.");
    assertThat(outcome.message()).contains("accepted").contains("zone example.test.");
    assertThat(outcome.previousKeyOnly()).isFalse();
    assertThat(outcome.outsideGrants()).isEqualTo(OutsideGrants.Refused);
  }

  @Test
  void aKeyTheServerDoesNotKnowIsRejected(NamedServer named) {
    TsigCredentials wrong = random(TestKeys.ACME.name());
    IssuerSettings s = settings(List.of("127.0.0.1:" + named.port()), List.of("example.test"));

    IssuerOutcome outcome = probe.probe(s, KeyMaterial.of(wrong));

    assertThat(outcome.reason()).isEqualTo(IssuerReason.KeyRejected);
    assertThat(outcome.message()).doesNotContain(wrong.secretBase64());
  }

  @Test
  void duringARotationOverlapThePreviousKeyStillCounts(NamedServer named) {
    KeyMaterial keys =
        KeyMaterial.of(random(TestKeys.ACME.name()))
            .withPrevious(credentials(TestKeys.ACME), Instant.now().plus(Duration.ofHours(1)));
    IssuerSettings s = settings(List.of("127.0.0.1:" + named.port()), List.of("example.test"));

    IssuerOutcome outcome = probe.probe(s, keys);

    assertThat(outcome.reason()).isEqualTo(IssuerReason.Authenticated);
    assertThat(outcome.previousKeyOnly()).isTrue();
    assertThat(outcome.message()).contains("only the PREVIOUS key");
  }

  @Test
  void triesTheNextNameserverWhenThePrimaryIsUnreachable(NamedServer named) {
    int closed = OperatorFixture.closedPort();
    IssuerSettings s =
        settings(
            List.of("127.0.0.1:" + closed, "127.0.0.1:" + named.port()), List.of("example.test"));

    IssuerOutcome outcome = probe.probe(s, KeyMaterial.of(credentials(TestKeys.ACME)));

    assertThat(outcome.reason()).isEqualTo(IssuerReason.Authenticated);
    assertThat(outcome.primary()).isEqualTo("127.0.0.1:" + named.port());
  }

  @Test
  void reportsEveryUnreachableNameserver() {
    int a = OperatorFixture.closedPort();
    int b = OperatorFixture.closedPort();
    IssuerSettings s =
        settings(List.of("127.0.0.1:" + a, "127.0.0.1:" + b), List.of("example.test"));

    IssuerOutcome outcome = probe.probe(s, KeyMaterial.of(credentials(TestKeys.ACME)));

    assertThat(outcome.reason()).isEqualTo(IssuerReason.NameserverUnreachable);
    assertThat(outcome.message()).contains(":" + a).contains(":" + b);
    assertThat(outcome.primary()).isNull();
  }

  @Test
  void aDomainTheServerDoesNotServeHasNoZone(NamedServer named) {
    IssuerSettings s = settings(List.of("127.0.0.1:" + named.port()), List.of("example.org"));

    IssuerOutcome outcome = probe.probe(s, KeyMaterial.of(credentials(TestKeys.ACME)));

    assertThat(outcome.reason()).isEqualTo(IssuerReason.ZoneNotFound);
    assertThat(outcome.message()).contains("example.org");
  }
}
