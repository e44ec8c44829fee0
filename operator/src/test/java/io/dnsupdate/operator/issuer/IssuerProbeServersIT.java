package io.dnsupdate.operator.issuer;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.api.DnsUpdateIssuerSpec;
import io.dnsupdate.api.OutsideGrants;
import io.dnsupdate.config.DomainPolicy;
import io.dnsupdate.config.IssuerSettings;
import io.dnsupdate.config.KeyMaterial;
import io.dnsupdate.config.KnotConfigRenderer;
import io.dnsupdate.config.NameserverConfig;
import io.dnsupdate.dns.TsigAlgorithm;
import io.dnsupdate.dns.TsigCredentials;
import io.dnsupdate.testkit.KnotServer;
import io.dnsupdate.testkit.PowerDnsServer;
import io.dnsupdate.testkit.StandardZones;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Name;

/**
 * The probe against a real Knot DNS and a real PowerDNS holding exactly the rendered texts: Ready
 * where they limit the key; where PowerDNS lacks the Lua policy, Ready with reason KeyNotLimited,
 * saying the key can change the whole zone; where the policy lacks the key's names, not Ready
 * (UpdateNotApplied). The probe's own records never stay behind.
 */
class IssuerProbeServersIT {
  private static final List<String> DOMAINS = List.of("example.test", "a.b.example.test");
  private static final Name ZONE = Name.fromConstantString("example.test.");

  private final IssuerProbe probe = new IssuerProbe(Clock.systemUTC());
  private final TsigCredentials key =
      TsigCredentials.generate(
          "web.team-a.dnsupdate.io", TsigAlgorithm.HMAC_SHA256, new SecureRandom());

  private NameserverConfig rendered(List<String> domains) {
    return NameserverConfig.render(key, DomainPolicy.of(domains).challengeNames(), List.of(ZONE));
  }

  private IssuerOutcome probe(int port) {
    DnsUpdateIssuerSpec spec = new DnsUpdateIssuerSpec();
    spec.setNameservers(List.of("127.0.0.1:" + port));
    spec.setDomains(DOMAINS);
    spec.setTsigKeyRef(new DnsUpdateIssuerSpec.TsigKeyRef("web"));
    spec.setTimeout("3s");
    return probe.probe(IssuerSettings.parse(spec), KeyMaterial.of(key));
  }

  @Test
  void knotWithTheRenderedConfigIsReady(@TempDir Path dir) throws Exception {
    Path snippet = Files.writeString(dir.resolve("dnsupdate.conf"), rendered(DOMAINS).knotConf());
    try (KnotServer knot =
        KnotServer.builder()
            .primaryZone(StandardZones.EXAMPLE, StandardZones.exampleRecords())
            .include(snippet)
            .zoneAcl(StandardZones.EXAMPLE, KnotConfigRenderer.aclId(key.keyName()))
            .start()) {
      List<String> before = knot.recordStrings(StandardZones.EXAMPLE);

      IssuerOutcome outcome = probe(knot.port());

      assertThat(outcome.reason()).as(outcome.message()).isEqualTo(IssuerReason.Authenticated);
      assertThat(outcome.zone()).isEqualTo("example.test.");
      assertThat(outcome.outsideGrants()).isEqualTo(OutsideGrants.Refused);
      assertThat(knot.recordStrings(StandardZones.EXAMPLE)).isEqualTo(before);
    }
  }

  @Test
  void powerDnsWithTheRenderedCommandsAndPolicyIsReady() {
    try (PowerDnsServer pdns = powerDns()) {
      pdns.runCommands(rendered(DOMAINS).powerDns());
      pdns.installPolicy(rendered(DOMAINS).powerDnsPolicy());
      List<String> before = pdns.zoneContents(StandardZones.EXAMPLE);

      IssuerOutcome outcome = probe(pdns.port());

      assertThat(outcome.reason()).as(outcome.message()).isEqualTo(IssuerReason.Authenticated);
      assertThat(outcome.ready()).isTrue();
      assertThat(outcome.outsideGrants()).isEqualTo(OutsideGrants.RefusedSilently);
      assertThat(pdns.zoneContents(StandardZones.EXAMPLE)).isEqualTo(before);
    }
  }

  @Test
  void powerDnsWithoutThePolicySaysTheKeyCanChangeTheWholeZone() {
    try (PowerDnsServer pdns = powerDns()) {
      pdns.runCommands(rendered(DOMAINS).powerDns());
      List<String> before = pdns.zoneContents(StandardZones.EXAMPLE);

      IssuerOutcome outcome = probe(pdns.port());

      assertThat(outcome.reason()).isEqualTo(IssuerReason.KeyNotLimited);
      assertThat(outcome.ready()).isTrue();
      assertThat(outcome.outsideGrants()).isEqualTo(OutsideGrants.Allowed);
      assertThat(outcome.message())
          .contains("NOT limited")
          .contains("_dnsupdate-limit-probe.example.test.")
          .contains("every record of zone example.test.")
          .contains("pdns-policy.lua")
          .doesNotContain(key.secretBase64());
      assertThat(pdns.zoneContents(StandardZones.EXAMPLE)).isEqualTo(before);
    }
  }

  @Test
  void powerDnsWhosePolicyLacksTheKeysNamesIsNotReady() {
    try (PowerDnsServer pdns = powerDns()) {
      pdns.runCommands(rendered(DOMAINS).powerDns());
      // the policy as rendered before a.b.example.test was added to the issuer
      pdns.installPolicy(rendered(List.of("example.test")).powerDnsPolicy());
      List<String> before = pdns.zoneContents(StandardZones.EXAMPLE);

      IssuerOutcome outcome = probe(pdns.port());

      assertThat(outcome.reason()).isEqualTo(IssuerReason.UpdateNotApplied);
      assertThat(outcome.ready()).isFalse();
      assertThat(outcome.message())
          .contains("answered NOERROR")
          .contains("_acme-challenge.a.b.example.test. is not served")
          .contains("lua-dnsupdate-policy-script");
      assertThat(pdns.zoneContents(StandardZones.EXAMPLE)).isEqualTo(before);
    }
  }

  private static PowerDnsServer powerDns() {
    return PowerDnsServer.builder()
        .primaryZone(StandardZones.EXAMPLE, StandardZones.exampleRecords())
        .start();
  }
}
