package io.dnsupdate.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Name;

class GssBindConfigRendererTest {
  static final String PRINCIPAL = "acme@EXAMPLE.TEST";

  static Name name(String s) {
    return Name.fromConstantString(s);
  }

  @Test
  void oneNameGrantPerChallengeNameSortedWithoutDuplicates() {
    assertThat(
            GssBindConfigRenderer.grants(
                PRINCIPAL,
                List.of(
                    name("_acme-challenge.www.example.test."),
                    name("_ACME-challenge.example.test."),
                    name("_acme-challenge.www.example.test."))))
        .isEqualTo(
            "grant acme@EXAMPLE.TEST name _acme-challenge.example.test. TXT;\n"
                + "grant acme@EXAMPLE.TEST name _acme-challenge.www.example.test. TXT;\n");
  }

  @Test
  void theSnippetHasTheKeytabOptionTheServicePrincipalsAndTheZonesPolicy() {
    String snippet =
        GssBindConfigRenderer.snippet(
            "team/site",
            PRINCIPAL,
            List.of("DNS/ns2.example.test@EXAMPLE.TEST", "DNS/ns1.example.test@EXAMPLE.TEST"),
            Optional.of(name("example.test.")),
            List.of(name("_acme-challenge.www.example.test.")));

    assertThat(snippet)
        .contains("GSS-TSIG DnsUpdateIssuer team/site")
        .contains("tkey-gssapi-keytab \"/etc/bind/dns.keytab\";\n")
        .contains(
            "//      DNS/ns1.example.test@EXAMPLE.TEST\n//      DNS/ns2.example.test@EXAMPLE.TEST\n")
        .contains("In the zone statement of zone example.test.:")
        .endsWith(
            "update-policy {\n"
                + "\tgrant acme@EXAMPLE.TEST name _acme-challenge.www.example.test. TXT;\n"
                + "};\n");
  }

  @Test
  void withoutAZoneItSaysWhereTheBlockGoesAndWithoutNamesItGrantsNothing() {
    String snippet =
        GssBindConfigRenderer.snippet(
            "team/site", PRINCIPAL, List.of("DNS/ns1@EXAMPLE.TEST"), Optional.empty(), List.of());

    assertThat(snippet)
        .contains("the zone that holds the names")
        .doesNotContain("grant acme")
        .endsWith(
            "update-policy {\n\t// no valid domain in the issuer's spec: nothing to grant\n};\n");
  }
}
