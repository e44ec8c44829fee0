package io.dnsupdate.config;

import static io.dnsupdate.config.BindConfigRendererTest.FP;
import static io.dnsupdate.config.BindConfigRendererTest.KEY;
import static io.dnsupdate.config.BindConfigRendererTest.NAMES;
import static io.dnsupdate.config.BindConfigRendererTest.SECRET;
import static io.dnsupdate.config.BindConfigRendererTest.name;
import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.dns.TsigAlgorithm;
import io.dnsupdate.dns.TsigCredentials;
import java.util.List;
import org.junit.jupiter.api.Test;

class PowerDnsConfigRendererTest {

  @Test
  void commandsImportTheKeyAndSetTheMetadataOfTheKnownZones() {
    String text =
        PowerDnsConfigRenderer.commands(
            KEY, NAMES, List.of(name("example.org."), name("example.com.")));
    assertThat(text)
        .startsWith(
            "# dnsupdate-operator: TSIG key acme.default.dnsupdate.io. (fingerprint " + FP + ")\n")
        .contains(
            "\npdnsutil import-tsig-key acme.default.dnsupdate.io. hmac-sha256 '" + SECRET + "'\n")
        .contains(
            "\npdnsutil set-meta example.com. TSIG-ALLOW-DNSUPDATE acme.default.dnsupdate.io.\n"
                + "pdnsutil set-meta example.org. TSIG-ALLOW-DNSUPDATE acme.default.dnsupdate.io.\n")
        .contains("lua-dnsupdate-policy-script=")
        .endsWith(
            "#   _acme-challenge.example.com.\n"
                + "#   _acme-challenge.www.example.com.\n"
                + "#   _acme-challenge.example.org.\n")
        // add-meta would append the key again on every run (a rotation re-runs the text)
        .doesNotContain("add-meta");
    // every line is a comment or a pdnsutil command
    assertThat(text.lines().filter(l -> !l.startsWith("#")))
        .allMatch(l -> l.startsWith("pdnsutil "))
        .hasSize(3);
  }

  @Test
  void unknownZonesGiveATemplateLine() {
    assertThat(PowerDnsConfigRenderer.commands(KEY, List.of(), List.of()))
        .contains("# pdnsutil set-meta ZONE TSIG-ALLOW-DNSUPDATE acme.default.dnsupdate.io.\n")
        .contains("#   (nothing: no DnsUpdateIssuer uses this key yet)\n")
        .doesNotContain("\npdnsutil set-meta");
  }

  @Test
  void policyPartAddsTheKeysExactNamesToTheSharedTableAndNoSecret() {
    String lua = PowerDnsConfigRenderer.policy(KEY, NAMES);
    assertThat(lua)
        .contains(
            "dnsupdate_operator_grants = dnsupdate_operator_grants or {}\n"
                + "do\n"
                + "  local names = dnsupdate_operator_grants[\"acme.default.dnsupdate.io.\"] or {}\n"
                + "  dnsupdate_operator_grants[\"acme.default.dnsupdate.io.\"] = names\n"
                + "  names[\"_acme-challenge.example.com.\"] = true\n"
                + "  names[\"_acme-challenge.www.example.com.\"] = true\n"
                + "  names[\"_acme-challenge.example.org.\"] = true\n"
                + "end\n")
        .contains("function updatepolicy(input)\n")
        .contains("input:getQType() == pdns.TXT")
        .doesNotContain(SECRET.substring(0, 12));
  }

  @Test
  void theUpdatepolicyFunctionIsTheSameInEveryKeysPart() {
    TsigCredentials other =
        TsigCredentials.fromBase64(
            "other.team-b.dnsupdate.io",
            TsigAlgorithm.HMAC_SHA512,
            "G6KkR5XUfH078z5FX+3wISlbsd65QLY2oPPq3djEzaRr1NJFBuIkYYCxn3lYJe7qjPWOolK0tBx7TNU4dl6r4w==");
    String a = PowerDnsConfigRenderer.policy(KEY, NAMES);
    String b = PowerDnsConfigRenderer.policy(other, List.of(name("_acme-challenge.x.test.")));
    assertThat(a.substring(a.indexOf("function updatepolicy")))
        .isEqualTo(b.substring(b.indexOf("function updatepolicy")));
  }
}
