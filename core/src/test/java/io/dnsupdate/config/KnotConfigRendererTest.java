package io.dnsupdate.config;

import static io.dnsupdate.config.BindConfigRendererTest.FP;
import static io.dnsupdate.config.BindConfigRendererTest.KEY;
import static io.dnsupdate.config.BindConfigRendererTest.NAMES;
import static io.dnsupdate.config.BindConfigRendererTest.SECRET;
import static io.dnsupdate.config.BindConfigRendererTest.name;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class KnotConfigRendererTest {

  @Test
  void keyAclAndTheZoneLinesInBlockStyleNamingTheRealZones() {
    assertThat(
            KnotConfigRenderer.knotConf(
                KEY, NAMES, List.of(name("example.org."), name("EXAMPLE.com"))))
        .isEqualTo(
            "# dnsupdate-operator: TSIG key acme.default.dnsupdate.io. (fingerprint "
                + FP
                + ")\n"
                + "# Include this file in knot.conf (include: /etc/knot/dnsupdate-KEY.conf), attach\n"
                + "# the acl to the zones as shown at the end, then: knotc reload\n"
                + "key:\n"
                + "  - id: acme.default.dnsupdate.io.\n"
                + "    algorithm: hmac-sha256\n"
                + "    secret: "
                + SECRET
                + "\n"
                + "\n"
                + "# TXT records at exactly these names, nothing else (update-owner needs Knot"
                + " 3.1+).\n"
                + "acl:\n"
                + "  - id: dnsupdate-acme.default.dnsupdate.io\n"
                + "    key: acme.default.dnsupdate.io.\n"
                + "    action: update\n"
                + "    update-type: [ TXT ]\n"
                + "    update-owner: name\n"
                + "    update-owner-match: equal\n"
                + "    update-owner-name: [ _acme-challenge.example.com.,"
                + " _acme-challenge.www.example.com., _acme-challenge.example.org. ]\n"
                + "\n"
                + "# Knot takes one zone: entry per zone, so add the acl id to the acl list of"
                + " each\n"
                + "# zone that holds the names (keeping the ids it has), in block style:\n"
                + "#zone:\n"
                + "#  - domain: example.com.\n"
                + "#    acl: [ dnsupdate-acme.default.dnsupdate.io ]\n"
                + "#  - domain: example.org.\n"
                + "#    acl: [ dnsupdate-acme.default.dnsupdate.io ]\n");
  }

  @Test
  void unknownZonesGiveAPlaceholderAndNoIssuersNoAcl() {
    assertThat(KnotConfigRenderer.knotConf(KEY, NAMES, List.of()))
        .endsWith(
            "#zone:\n"
                + "#  - domain: ZONE.   # not known yet: the issuers' status.zone names it\n"
                + "#    acl: [ dnsupdate-acme.default.dnsupdate.io ]\n");
    assertThat(KnotConfigRenderer.knotConf(KEY, List.of(), List.of(name("example.com."))))
        .endsWith("\n# No DnsUpdateIssuer uses this key yet: no acl.\n")
        .doesNotContain("acl:");
  }

  @Test
  void aclIdIsTheKeyNameWithoutItsDot() {
    assertThat(KnotConfigRenderer.aclId(KEY.keyName()))
        .isEqualTo("dnsupdate-acme.default.dnsupdate.io");
  }
}
