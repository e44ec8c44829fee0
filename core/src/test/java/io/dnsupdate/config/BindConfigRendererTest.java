package io.dnsupdate.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.dns.TsigAlgorithm;
import io.dnsupdate.dns.TsigCredentials;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Name;

class BindConfigRendererTest {
  // test-only key
  private static final String SECRET = "zkRQRKrfa0V8dBX/JzdIE6B68Nes6PS85h85otsS5VE=";
  private static final TsigCredentials KEY =
      TsigCredentials.fromBase64("acme.default.dnsupdate.io", TsigAlgorithm.HMAC_SHA256, SECRET);
  private static final String FP = KEY.fingerprint();

  /** Deliberately unsorted, with a duplicate and mixed case. */
  private static final List<Name> NAMES =
      List.of(
          name("_acme-challenge.www.example.com."),
          name("_acme-challenge.example.org."),
          name("_ACME-challenge.example.com."),
          name("_acme-challenge.example.org."));

  private static Name name(String s) {
    return Name.fromConstantString(s);
  }

  @Test
  void bindKeyClause() {
    assertThat(BindConfigRenderer.bindKeyClause(KEY))
        .isEqualTo(
            "// dnsupdate-operator: TSIG key acme.default.dnsupdate.io. (fingerprint "
                + FP
                + ")\n"
                + "key \"acme.default.dnsupdate.io.\" {\n"
                + "\talgorithm hmac-sha256;\n"
                + "\tsecret \""
                + SECRET
                + "\";\n"
                + "};\n");
  }

  @Test
  void updatePolicyHasOneNameGrantPerChallengeNameInCanonicalOrder() {
    assertThat(BindConfigRenderer.updatePolicy(KEY.keyName(), NAMES))
        .isEqualTo(
            "// dnsupdate-operator: update-policy grants for TSIG key acme.default.dnsupdate.io.\n"
                + "// Put each line into the update-policy { ... }; block of the zone that holds\n"
                + "// the name (a zone cannot have both update-policy and allow-update).\n"
                + "// One \"name\" grant per challenge name allows TXT records at exactly that"
                + " name.\n"
                + "// Not \"wildcard\": \"wildcard *.example.com. TXT\" would allow TXT records"
                + " at\n"
                + "// every name below the domain, and \"_acme-challenge.*.example.com.\" cannot"
                + " be\n"
                + "// written because \"*\" matches only whole leftmost labels. For a subdomain,"
                + " list\n"
                + "// it in the DnsUpdateIssuer's domains and it gets a grant of its own.\n"
                + "grant acme.default.dnsupdate.io. name _acme-challenge.example.com. TXT;\n"
                + "grant acme.default.dnsupdate.io. name _acme-challenge.www.example.com. TXT;\n"
                + "grant acme.default.dnsupdate.io. name _acme-challenge.example.org. TXT;\n");
  }

  @Test
  void updatePolicyWithoutIssuers() {
    assertThat(BindConfigRenderer.updatePolicy(KEY.keyName(), List.of()))
        .endsWith("// No DnsUpdateIssuer uses this key yet: nothing to grant.\n")
        .doesNotContain("grant acme");
  }

  @Test
  void knotKeyAndAcl() {
    assertThat(BindConfigRenderer.knotConf(KEY, NAMES))
        .isEqualTo(
            "# dnsupdate-operator: TSIG key acme.default.dnsupdate.io. (fingerprint "
                + FP
                + ")\n"
                + "key:\n"
                + "  - id: acme.default.dnsupdate.io.\n"
                + "    algorithm: hmac-sha256\n"
                + "    secret: "
                + SECRET
                + "\n"
                + "\n"
                + "# TXT updates at exactly these names (Knot DNS 3.1 or later). Add the acl to"
                + " each\n"
                + "# zone holding them:  zone: [ { domain: example.com., acl: ["
                + " dnsupdate-acme.default.dnsupdate.io ] } ]\n"
                + "acl:\n"
                + "  - id: dnsupdate-acme.default.dnsupdate.io\n"
                + "    key: acme.default.dnsupdate.io.\n"
                + "    action: update\n"
                + "    update-type: [ TXT ]\n"
                + "    update-owner: name\n"
                + "    update-owner-match: equal\n"
                + "    update-owner-name: [ _acme-challenge.example.com.,"
                + " _acme-challenge.www.example.com., _acme-challenge.example.org. ]\n");
  }

  @Test
  void powerDnsWithKnownZones() {
    assertThat(
            BindConfigRenderer.powerDns(
                KEY, NAMES, List.of(name("example.org."), name("example.com."))))
        .isEqualTo(
            "# dnsupdate-operator: TSIG key acme.default.dnsupdate.io. (fingerprint "
                + FP
                + ")\n"
                + "pdnsutil import-tsig-key acme.default.dnsupdate.io. hmac-sha256 '"
                + SECRET
                + "'\n"
                + "# Let the key update the zones holding the challenge names. Needs"
                + " dnsupdate=yes\n"
                + "# and the webhook's addresses in allow-dnsupdate-from (or"
                + " ALLOW-DNSUPDATE-FROM).\n"
                + "pdnsutil add-meta example.com. TSIG-ALLOW-DNSUPDATE"
                + " acme.default.dnsupdate.io.\n"
                + "pdnsutil add-meta example.org. TSIG-ALLOW-DNSUPDATE"
                + " acme.default.dnsupdate.io.\n"
                + "# PowerDNS lets the key change the whole zone: it cannot limit a key to names"
                + " and\n"
                + "# TXT without a server-wide lua-dnsupdate-policy-script. For least privilege,\n"
                + "# delegate each _acme-challenge name to a zone of its own. Challenge names:\n"
                + "#   _acme-challenge.example.com.\n"
                + "#   _acme-challenge.www.example.com.\n"
                + "#   _acme-challenge.example.org.\n");
  }

  @Test
  void powerDnsWithoutZonesGivesATemplate() {
    assertThat(BindConfigRenderer.powerDns(KEY, List.of(), List.of()))
        .contains(
            "# Zones not known yet; for each zone holding the names below:\n"
                + "# pdnsutil add-meta ZONE TSIG-ALLOW-DNSUPDATE acme.default.dnsupdate.io.\n")
        .endsWith("#   (none: no DnsUpdateIssuer uses this key yet)\n")
        .doesNotContain("\npdnsutil add-meta");
  }

  @Test
  void renderIsDeterministicAndFillsTheSecretKeys() {
    BindConfigRenderer.NameserverConfig a = BindConfigRenderer.render(KEY, NAMES);
    BindConfigRenderer.NameserverConfig b =
        BindConfigRenderer.render(KEY, List.of(NAMES.get(3), NAMES.get(2), NAMES.get(0)));

    assertThat(a).isEqualTo(b);
    assertThat(BindConfigRenderer.render(KEY, List.of(name("_acme-challenge.EXAMPLE.com."))))
        .isEqualTo(BindConfigRenderer.render(KEY, List.of(name("_acme-challenge.example.com"))));
    assertThat(a.toStringData())
        .containsOnlyKeys("named.conf", "update-policy", "knot.conf", "pdns.txt")
        .containsEntry("named.conf", BindConfigRenderer.bindKeyClause(KEY));
    assertThat(a.toString()).doesNotContain(SECRET.substring(0, 10));
  }

  @Test
  void worksWithDomainPolicyChallengeNames() {
    DomainPolicy policy = DomainPolicy.of(List.of("b.example.com", "example.com"));
    assertThat(BindConfigRenderer.updatePolicy(KEY.keyName(), policy.challengeNames()))
        .endsWith(
            "grant acme.default.dnsupdate.io. name _acme-challenge.example.com. TXT;\n"
                + "grant acme.default.dnsupdate.io. name _acme-challenge.b.example.com. TXT;\n");
  }
}
