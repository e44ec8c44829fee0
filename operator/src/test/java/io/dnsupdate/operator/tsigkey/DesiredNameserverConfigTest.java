package io.dnsupdate.operator.tsigkey;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.api.DnsUpdateIssuer;
import io.dnsupdate.api.DnsUpdateIssuerStatus;
import io.dnsupdate.api.TsigKey;
import io.dnsupdate.config.KeySettings;
import io.dnsupdate.dns.TsigAlgorithm;
import io.dnsupdate.dns.TsigCredentials;
import io.dnsupdate.operator.testing.Resources;
import io.fabric8.kubernetes.api.model.Secret;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;

class DesiredNameserverConfigTest {
  private final TsigKey key = key();
  private final KeySettings settings = KeySettings.parse(key);
  private final TsigCredentials current =
      TsigCredentials.generate(settings.keyName(), TsigAlgorithm.HMAC_SHA256, new SecureRandom());

  private static TsigKey key() {
    TsigKey k = Resources.tsigKey("team-a", "web", s -> {});
    k.getMetadata().setUid("uid-web");
    return k;
  }

  private static DnsUpdateIssuer issuer(
      String namespace, String name, String keyRef, String... domains) {
    return Resources.issuer(
        namespace, name, keyRef, List.of("ns1.example.test"), List.of(domains), s -> {});
  }

  @Test
  void grantsExactlyTheChallengeNamesOfTheIssuersUsingTheKey() {
    DnsUpdateIssuer one = issuer("team-a", "one", "web", "example.test", "a.example.test");
    DnsUpdateIssuer two = issuer("team-a", "two", "web", "Example.ORG.");
    DnsUpdateIssuer otherKey = issuer("team-a", "three", "db", "db.example.test");
    DnsUpdateIssuer otherNamespace = issuer("team-b", "four", "web", "b.example.test");
    DnsUpdateIssuer invalid =
        issuer("team-a", "five", "web", "*.bad.example.test", "ok.example.test");

    Secret secret =
        DesiredNameserverConfig.secret(
            key, settings, current, List.of(one, two, otherKey, otherNamespace, invalid));

    String grants = Resources.value(secret, "update-policy");
    assertThat(grants.lines().filter(l -> l.startsWith("grant ")))
        .containsExactly(
            "grant web.team-a.dnsupdate.io. name _acme-challenge.example.org. TXT;",
            "grant web.team-a.dnsupdate.io. name _acme-challenge.example.test. TXT;",
            "grant web.team-a.dnsupdate.io. name _acme-challenge.a.example.test. TXT;",
            "grant web.team-a.dnsupdate.io. name _acme-challenge.ok.example.test. TXT;");
  }

  @Test
  void theKeyClauseIsWhatBindReads() {
    Secret secret = DesiredNameserverConfig.secret(key, settings, current, List.of());

    assertThat(Resources.value(secret, "named.conf"))
        .contains("key \"web.team-a.dnsupdate.io.\" {\n")
        .contains("\talgorithm hmac-sha256;\n")
        .contains("\tsecret \"" + current.secretBase64() + "\";\n")
        .contains(current.fingerprint());
    assertThat(Resources.value(secret, "update-policy"))
        .contains("No DnsUpdateIssuer uses this key yet");
    assertThat(secret.getData())
        .containsOnlyKeys(
            "named.conf", "update-policy", "knot.conf", "pdns.txt", "pdns-policy.lua");
  }

  @Test
  void isOwnedByTheKeyAndNamedAfterTheSpec() {
    Secret secret = DesiredNameserverConfig.secret(key, settings, current, List.of());

    assertThat(secret.getMetadata().getName()).isEqualTo("web-nameserver-config");
    assertThat(secret.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/component", "nameserver-config")
        .containsEntry("dnsupdate.io/tsigkey", "web");
    assertThat(secret.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> assertThat(o.getUid()).isEqualTo("uid-web"));
  }

  @Test
  void zonesFoundByProbesGoIntoThePowerDnsCommands() {
    DnsUpdateIssuer one = issuer("team-a", "one", "web", "example.test");
    DnsUpdateIssuerStatus status = new DnsUpdateIssuerStatus();
    status.setZone("example.test.");
    one.setStatus(status);

    Secret secret = DesiredNameserverConfig.secret(key, settings, current, List.of(one));

    assertThat(Resources.value(secret, "pdns.txt"))
        .contains(
            "\npdnsutil set-meta example.test. TSIG-ALLOW-DNSUPDATE web.team-a.dnsupdate.io.\n");
    assertThat(Resources.value(secret, "knot.conf"))
        .contains("update-owner-name: [ _acme-challenge.example.test. ]")
        .contains("#  - domain: example.test.\n");
    assertThat(Resources.value(secret, "pdns-policy.lua"))
        .contains("names[\"_acme-challenge.example.test.\"] = true\n");
  }

  @Test
  void theSameInputRendersTheSameSecret() {
    DnsUpdateIssuer one = issuer("team-a", "one", "web", "b.example.test", "a.example.test");

    assertThat(DesiredNameserverConfig.secret(key, settings, current, List.of(one)).getData())
        .isEqualTo(DesiredNameserverConfig.secret(key, settings, current, List.of(one)).getData());
  }
}
