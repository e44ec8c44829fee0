package io.dnsupdate.operator.issuer;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.api.DnsUpdateIssuer;
import io.dnsupdate.api.DnsUpdateIssuerSpec;
import io.dnsupdate.config.IssuerCredential;
import io.dnsupdate.config.IssuerSettings;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GssNameserverConfigTest {

  static DnsUpdateIssuer issuer(String uid, String zone) {
    DnsUpdateIssuer issuer = new DnsUpdateIssuer();
    issuer.setMetadata(
        new ObjectMetaBuilder().withName("site").withNamespace("team").withUid(uid).build());
    DnsUpdateIssuerSpec spec = new DnsUpdateIssuerSpec();
    spec.setNameservers(List.of("ns1.example.com", "ns2.example.com"));
    spec.setDomains(List.of("www.example.com", "example.com", "WWW.example.com"));
    spec.setZone(zone);
    DnsUpdateIssuerSpec.Kerberos k = new DnsUpdateIssuerSpec.Kerberos();
    k.setPrincipal("acme-dns@EXAMPLE.COM");
    k.setKeytabSecretRef(new DnsUpdateIssuerSpec.KeytabSecretRef("keytab", null));
    spec.setKerberos(k);
    issuer.setSpec(spec);
    return issuer;
  }

  static ConfigMap desired(DnsUpdateIssuer issuer) {
    IssuerSettings settings = IssuerSettings.parse(issuer.getSpec());
    return GssNameserverConfig.desired(
        issuer, settings, (IssuerCredential.Kerberos) settings.credential());
  }

  @Test
  void grantsEveryChallengeNameToThePrincipalAndNamesEachServicePrincipal() {
    ConfigMap config = desired(issuer("uid-1", "example.com"));

    assertThat(config.getMetadata().getName()).isEqualTo("site-nameserver-config");
    assertThat(config.getMetadata().getNamespace()).isEqualTo("team");
    assertThat(config.getData().get(GssNameserverConfig.DATA_UPDATE_POLICY))
        .isEqualTo(
            "grant acme-dns@EXAMPLE.COM name _acme-challenge.example.com. TXT;\n"
                + "grant acme-dns@EXAMPLE.COM name _acme-challenge.www.example.com. TXT;\n");
    assertThat(config.getData().get(GssNameserverConfig.DATA_SNIPPET))
        .contains("DNS/ns1.example.com@EXAMPLE.COM")
        .contains("DNS/ns2.example.com@EXAMPLE.COM")
        .contains("zone example.com.")
        .contains("\tgrant acme-dns@EXAMPLE.COM name _acme-challenge.example.com. TXT;\n");
    assertThat(config.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/managed-by", "dnsupdate-operator")
        .containsEntry("app.kubernetes.io/component", "nameserver-config")
        .containsEntry("dnsupdate.io/dnsupdateissuer", "site");
    assertThat(config.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getKind()).isEqualTo("DnsUpdateIssuer");
              assertThat(r.getUid()).isEqualTo("uid-1");
              assertThat(r.getController()).isTrue();
            });
  }

  @Test
  void aConfigMapNeitherOwnedNorLabelledForTheIssuerIsSomeoneElses() {
    DnsUpdateIssuer issuer = issuer("uid-1", null);
    ConfigMap foreign =
        new ConfigMapBuilder()
            .withNewMetadata()
            .withName("site-nameserver-config")
            .withLabels(Map.of("app", "bind"))
            .endMetadata()
            .build();

    assertThat(GssNameserverConfig.ours(foreign, issuer)).isFalse();
    assertThat(GssNameserverConfig.ours(desired(issuer), issuer)).isTrue();
  }

  @Test
  void aLeftoverOfAnIssuerOfTheSameNameIsTakenOverKeepingWhatOthersAdded() {
    DnsUpdateIssuer issuer = issuer("uid-2", null);
    ConfigMap left =
        new ConfigMapBuilder(desired(issuer("uid-old", "example.com")))
            .editMetadata()
            .addToLabels("team", "dns")
            .addToOwnerReferences(
                new OwnerReferenceBuilder()
                    .withApiVersion("v1")
                    .withKind("ConfigMap")
                    .withName("other")
                    .withUid("u")
                    .build())
            .endMetadata()
            .build();
    ConfigMap want = desired(issuer);

    assertThat(GssNameserverConfig.ours(left, issuer)).isTrue();
    assertThat(GssNameserverConfig.upToDate(left, want)).isFalse();

    ConfigMap merged = GssNameserverConfig.merged(left, want);

    assertThat(GssNameserverConfig.upToDate(merged, want)).isTrue();
    assertThat(merged.getData()).isEqualTo(want.getData());
    assertThat(merged.getMetadata().getLabels()).containsEntry("team", "dns");
    assertThat(merged.getMetadata().getOwnerReferences())
        .extracting(r -> r.getUid())
        .containsExactly("u", "uid-2");
  }
}
