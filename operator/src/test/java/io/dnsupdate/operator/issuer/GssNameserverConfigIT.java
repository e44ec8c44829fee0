package io.dnsupdate.operator.issuer;

import static io.dnsupdate.operator.testing.Resources.apply;
import static io.dnsupdate.operator.testing.Resources.awaitReason;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dnsupdate.api.DnsUpdateIssuer;
import io.dnsupdate.api.DnsUpdateIssuerSpec;
import io.dnsupdate.dns.DnsUpdateClient;
import io.dnsupdate.dns.DnsUpdateException;
import io.dnsupdate.dns.FailureReason;
import io.dnsupdate.dns.GssTsigContext;
import io.dnsupdate.dns.ServerEndpoint;
import io.dnsupdate.dns.gss.KerberosIdentity;
import io.dnsupdate.operator.testing.OperatorFixture;
import io.dnsupdate.operator.testing.Resources;
import io.dnsupdate.testkit.KerberosKdc;
import io.dnsupdate.testkit.NamedServer;
import io.dnsupdate.testkit.StandardZones;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Name;

/**
 * The proof that a Kerberos issuer's rendered grants are right: a BIND that accepts GSS-TSIG but
 * has no update-policy refuses the issuer until it includes the grants of the issuer's
 * nameserver-config ConfigMap; then the issuer is Ready, and the principal may write TXT at its
 * challenge names and nowhere else.
 */
@EnableKubernetesMockClient(crud = true)
class GssNameserverConfigIT {
  static KubernetesMockServer server;
  static KubernetesClient client;
  static OperatorFixture operator;
  static KerberosKdc kdc;
  static NamedServer named;

  @BeforeAll
  static void start() {
    kdc = KerberosKdc.startStandard();
    named =
        NamedServer.builder()
            .primaryZone(StandardZones.EXAMPLE, StandardZones.exampleRecords(), List.of())
            .gssapi(kdc.keytab(KerberosKdc.DNS_SERVICE), kdc.krb5Conf())
            .start();
    OperatorFixture.applyCrds(client);
    operator = OperatorFixture.start(server);
  }

  @AfterAll
  static void stop() {
    operator.close();
    named.close();
    kdc.close();
  }

  @Test
  void bindLoadsTheRenderedGrantsAndEnforcesThem(@TempDir Path dir) throws Exception {
    String ns = OperatorFixture.namespace(client, "gss-proof");
    String service = KerberosKdc.DNS_SERVICE + "@" + KerberosKdc.REALM;
    apply(
        client,
        KerberosIssuerIT.keytabSecret(ns, "keytab", "keytab", kdc.keytabBytes(KerberosKdc.ACME)));
    DnsUpdateIssuerSpec.Kerberos k = new DnsUpdateIssuerSpec.Kerberos();
    k.setPrincipal(KerberosKdc.ACME);
    k.setRealm(KerberosKdc.REALM);
    k.setKdcs(List.of(kdc.kdcAddress()));
    k.setKeytabSecretRef(new DnsUpdateIssuerSpec.KeytabSecretRef("keytab", null));
    k.setServicePrincipal(service);
    apply(
        client,
        Resources.issuer(
            ns,
            "site",
            "unused",
            List.of("127.0.0.1:" + named.port()),
            List.of("example.test", "a.example.test"),
            s -> {
              s.setTsigKeyRef(null);
              s.setKerberos(k);
              s.setTimeout("3s");
            }));

    // authenticated, but the zone allows no update at all yet
    awaitReason(client, DnsUpdateIssuer.class, ns, "site", IssuerReason.UpdateRefused);
    ConfigMap config =
        await()
            .atMost(Resources.DEADLINE)
            .until(
                () -> client.configMaps().inNamespace(ns).withName("site-nameserver-config").get(),
                c -> c != null);
    String grants = config.getData().get(GssNameserverConfig.DATA_UPDATE_POLICY);
    assertThat(grants)
        .isEqualTo(
            "grant acme@EXAMPLE.TEST name _acme-challenge.example.test. TXT;\n"
                + "grant acme@EXAMPLE.TEST name _acme-challenge.a.example.test. TXT;\n");
    Path policy =
        Files.writeString(dir.resolve("policy.conf"), "update-policy {\n" + grants + "};\n");
    named.addZoneInclude(StandardZones.EXAMPLE, policy).reconfig();

    awaitReason(client, DnsUpdateIssuer.class, ns, "site", IssuerReason.Authenticated);

    KerberosIdentity identity =
        KerberosIdentity.login(
            kdc.principal(KerberosKdc.ACME),
            List.of(kdc.kdcAddress()),
            kdc.keytabBytes(KerberosKdc.ACME));
    try (GssTsigContext context =
        new GssTsigContext(
            identity,
            ServerEndpoint.tcp("127.0.0.1:" + named.port()),
            "ns1.example.test",
            service,
            null,
            Clock.systemUTC())) {
      DnsUpdateClient dns = new DnsUpdateClient(context);
      Name zone = Name.fromString("example.test.");
      dns.addTxt(zone, Name.fromString("_acme-challenge.example.test."), "apex-proof", 60);
      dns.addTxt(zone, Name.fromString("_acme-challenge.a.example.test."), "sub-proof", 60);
      assertThat(named.txt("_acme-challenge.example.test.")).containsExactly("apex-proof");
      assertThat(named.txt("_acme-challenge.a.example.test.")).containsExactly("sub-proof");
      for (String outside :
          List.of(
              "_acme-challenge.b.example.test.",
              "www.example.test.",
              "_acme-challenge.x.a.example.test.")) {
        assertThatThrownBy(() -> dns.addTxt(zone, Name.fromString(outside), "nope", 60))
            .as(outside)
            .isInstanceOf(DnsUpdateException.class)
            .hasFieldOrPropertyWithValue("reason", FailureReason.UpdateRefused);
      }
    }
  }
}
