package io.dnsupdate.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.dns.TsigAlgorithm;
import io.dnsupdate.dns.TsigCredentials;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Name;

class BindConfigRendererTest {
  // test-only key
  static final String SECRET = "zkRQRKrfa0V8dBX/JzdIE6B68Nes6PS85h85otsS5VE=";
  static final TsigCredentials KEY =
      TsigCredentials.fromBase64("acme.default.dnsupdate.io", TsigAlgorithm.HMAC_SHA256, SECRET);
  static final String FP = KEY.fingerprint();

  /** Deliberately unsorted, with a duplicate and mixed case. */
  static final List<Name> NAMES =
      List.of(
          name("_acme-challenge.www.example.com."),
          name("_acme-challenge.example.org."),
          name("_ACME-challenge.example.com."),
          name("_acme-challenge.example.org."));

  static Name name(String s) {
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
  void worksWithDomainPolicyChallengeNames() {
    DomainPolicy policy = DomainPolicy.of(List.of("b.example.com", "example.com"));
    assertThat(BindConfigRenderer.updatePolicy(KEY.keyName(), policy.challengeNames()))
        .endsWith(
            "grant acme.default.dnsupdate.io. name _acme-challenge.example.com. TXT;\n"
                + "grant acme.default.dnsupdate.io. name _acme-challenge.b.example.com. TXT;\n");
  }
}
