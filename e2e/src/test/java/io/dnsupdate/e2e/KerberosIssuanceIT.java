package io.dnsupdate.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dnsupdate.api.ApiConstants;
import io.dnsupdate.api.DnsUpdateIssuer;
import io.dnsupdate.e2e.acme.IssuedChain;
import io.dnsupdate.e2e.demo.DemoOptions;
import io.dnsupdate.operator.status.Conditions;
import io.dnsupdate.testkit.KerberosKdc;
import io.dnsupdate.testkit.NamedServer;
import io.dnsupdate.testkit.StandardZones;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Type;

/**
 * A certificate end to end with a Kerberos issuer (GSS-TSIG): a real MIT KDC, a real named with
 * {@code tkey-gssapi-keytab}, real Pebble, the real operator and webhook; the keytab only in a
 * Secret. No TSIG key is involved: named logs the principal as the signer.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KerberosIssuanceIT {
  private static final String ISSUER = "example-com-kerberos";
  private static final String KEYTAB_SECRET = "acme-dns-keytab";

  @TempDir static Path work;

  static KerberosKdc kdc;
  static NamedServer named;
  static LocalStack stack;
  static DemoFlow flow;

  @BeforeAll
  static void start() throws Exception {
    kdc = KerberosKdc.startStandard();
    named = StandardZones.gssPrimaryBuilder(kdc).start();
    DemoOptions options =
        DemoOptions.parse(
            new String[] {
              "--out=" + work.resolve("out"),
              "--nameserver=" + named.address() + ":" + named.port(),
              "--domain=" + StandardZones.EXAMPLE
            },
            Map.of());
    stack = LocalStack.start(work, StepLog.quiet(), options);
    flow = new DemoFlow(stack, StepLog.quiet(), options);
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
    if (named != null) {
      named.close();
    }
    if (kdc != null) {
      kdc.close();
    }
  }

  @Test
  @Order(1)
  void aKerberosIssuerIssuesACertificateAndLeavesNoRecordBehind() throws Exception {
    KubernetesClient client = stack.api().client();
    String keytab = Base64.getEncoder().encodeToString(kdc.keytabBytes(KerberosKdc.ACME));
    Secret secret =
        new SecretBuilder()
            .withNewMetadata()
            .withName(KEYTAB_SECRET)
            .withNamespace(DemoFlow.NAMESPACE)
            .endMetadata()
            .withData(Map.of("keytab", keytab))
            .build();
    client.secrets().resource(secret).create();
    DnsUpdateIssuer issuer =
        ExampleResources.kerberosIssuer(
            DemoFlow.NAMESPACE,
            named.address() + ":" + named.port(),
            StandardZones.EXAMPLE + ".",
            List.of("www." + StandardZones.EXAMPLE),
            kdc.principal(KerberosKdc.ACME),
            List.of(kdc.kdcAddress()),
            kdc.principal(KerberosKdc.DNS_SERVICE));
    assertThat(issuer.getMetadata().getName()).isEqualTo(ISSUER);
    client.resource(issuer).create();

    // the operator logged in with the keytab and the nameserver accepted its signed probe
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(
            () ->
                assertThat(readyCondition(client, issuer))
                    .hasValueSatisfying(
                        c ->
                            assertThat(c.getReason() + ": " + c.getMessage())
                                .startsWith("Authenticated")));
    DnsUpdateIssuer ready = client.resources(DnsUpdateIssuer.class).resource(issuer).get();

    IssuedChain chain = flow.issue(ready, List.of("www." + StandardZones.EXAMPLE));

    X509Certificate leaf = chain.leaf();
    assertThat(DemoFlow.sans(leaf)).containsExactly("www." + StandardZones.EXAMPLE);
    leaf.checkValidity();
    X509Certificate top = chain.chain().get(chain.chain().size() - 1);
    top.verify(stack.pebble().rootCertificates().get(0).getPublicKey());
    // signed as the principal: GSS-TSIG, not one of the TSIG keys named also knows
    assertThat(named.logFile()).content().contains("/key acme\\@EXAMPLE.TEST: updating");
    assertThat(named.query(KerberosKdc.GSS_CHALLENGE_NAME, Type.TXT).getSection(1)).isEmpty();
    // the keytab is in the Secret and nowhere the cluster shows it
    String shown = client.resources(DnsUpdateIssuer.class).resource(issuer).get().toString();
    assertThat(shown).doesNotContain(keytab);
    assertThat(client.v1().events().inNamespace(DemoFlow.NAMESPACE).list().toString())
        .doesNotContain(keytab);
  }

  private static Optional<Condition> readyCondition(
      KubernetesClient client, DnsUpdateIssuer issuer) {
    DnsUpdateIssuer now = client.resources(DnsUpdateIssuer.class).resource(issuer).get();
    return now == null || now.getStatus() == null
        ? Optional.empty()
        : Conditions.find(now.getStatus().getConditions(), ApiConstants.CONDITION_READY);
  }

  /** Last: the Kerberos flow's calls (the keytab Secret read with get) are granted by the chart. */
  @Test
  @Order(2)
  void everyApiCallIsGrantedByTheChart() {
    ChartGrants.assertEveryCallGranted(stack);
  }
}
