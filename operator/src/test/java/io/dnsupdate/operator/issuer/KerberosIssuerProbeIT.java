package io.dnsupdate.operator.issuer;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.api.DnsUpdateIssuerSpec;
import io.dnsupdate.config.IssuerCredential;
import io.dnsupdate.config.IssuerSettings;
import io.dnsupdate.dns.gss.KerberosIdentity;
import io.dnsupdate.testkit.CommandResult;
import io.dnsupdate.testkit.KerberosKdc;
import io.dnsupdate.testkit.NamedServer;
import io.dnsupdate.testkit.StandardZones;
import java.time.Clock;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The issuer probe with GSS-TSIG against a real MIT KDC and real BINDs, without Kubernetes: the
 * same probe as for TSIG keys, signed by the principal's contexts.
 */
class KerberosIssuerProbeIT {
  static final String SERVICE = KerberosKdc.DNS_SERVICE + "@" + KerberosKdc.REALM;

  static KerberosKdc kdc;
  static NamedServer gss;
  static NamedServer withoutKeytab;

  private final IssuerProbe probe = new IssuerProbe(Clock.systemUTC());

  @BeforeAll
  static void start() {
    kdc = KerberosKdc.startStandard();
    gss = StandardZones.gssPrimaryBuilder(kdc).start();
    withoutKeytab = StandardZones.startPrimary();
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {withoutKeytab, gss, kdc}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        // the next one is still closed
      }
    }
  }

  static IssuerSettings settings(
      NamedServer named, String principal, Consumer<DnsUpdateIssuerSpec.Kerberos> more) {
    DnsUpdateIssuerSpec spec = new DnsUpdateIssuerSpec();
    spec.setNameservers(List.of("127.0.0.1:" + named.port()));
    spec.setDomains(List.of("www.example.test"));
    spec.setTimeout("3s");
    DnsUpdateIssuerSpec.Kerberos k = new DnsUpdateIssuerSpec.Kerberos();
    k.setPrincipal(kdc.principal(principal));
    k.setKdcs(List.of(kdc.kdcAddress()));
    k.setKeytabSecretRef(new DnsUpdateIssuerSpec.KeytabSecretRef("keytab", null));
    k.setServicePrincipal(SERVICE);
    more.accept(k);
    spec.setKerberos(k);
    return IssuerSettings.parse(spec);
  }

  private IssuerOutcome probe(IssuerSettings settings) throws Exception {
    IssuerCredential.Kerberos k = (IssuerCredential.Kerberos) settings.credential();
    String name = k.principal().substring(0, k.principal().indexOf('@'));
    KerberosIdentity identity =
        KerberosIdentity.login(k.principal(), k.kdcs(), kdc.keytabBytes(name));
    try (GssProbeSigner signer = new GssProbeSigner(identity, k, Clock.systemUTC())) {
      return probe.probe(settings, signer);
    }
  }

  @Test
  void theGrantedPrincipalIsAuthenticatedAndTheGrantLimitsIt() throws Exception {
    List<String> before = dynamicKeys();

    IssuerOutcome outcome = probe(settings(gss, KerberosKdc.ACME, k -> {}));

    assertThat(outcome.reason()).isEqualTo(IssuerReason.Authenticated);
    assertThat(outcome.keyName()).isEqualTo("acme@EXAMPLE.TEST");
    assertThat(outcome.zone()).isEqualTo("example.test.");
    assertThat(outcome.primary()).isEqualTo("127.0.0.1:" + gss.port());
    assertThat(outcome.message())
        .contains("GSS-TSIG as Kerberos principal 'acme@EXAMPLE.TEST'")
        .contains("service principal " + SERVICE);
    // the probe's context was deleted on the nameserver afterwards
    assertThat(dynamicKeys()).isEqualTo(before);
  }

  @Test
  void aNameserverWithoutKeytabRejectsTheContext() throws Exception {
    IssuerOutcome outcome = probe(settings(withoutKeytab, KerberosKdc.ACME, k -> {}));

    assertThat(outcome.reason()).isEqualTo(IssuerReason.KeyRejected);
    assertThat(outcome.message()).isNotBlank();
  }

  @Test
  void aServicePrincipalTheKdcDoesNotKnowIsAKerberosFailure() throws Exception {
    IssuerOutcome outcome =
        probe(
            settings(
                gss,
                KerberosKdc.ACME,
                k -> k.setServicePrincipal("DNS/ns9.example.test@EXAMPLE.TEST")));

    assertThat(outcome.reason()).isEqualTo(IssuerReason.KerberosFailed);
    assertThat(outcome.message()).contains("DNS/ns9.example.test");
  }

  @Test
  void aGrantForTheWholeZoneIsNotLimitedAndTheMessageSaysWhereTheGrantsAre() throws Exception {
    try (NamedServer broad =
        NamedServer.builder()
            .primaryZone(
                StandardZones.EXAMPLE,
                StandardZones.exampleRecords(),
                List.of("grant " + kdc.principal(KerberosKdc.ACME) + " zonesub ANY;"))
            .gssapi(kdc.keytab(KerberosKdc.DNS_SERVICE), kdc.krb5Conf())
            .start()) {
      IssuerOutcome outcome = probe(settings(broad, KerberosKdc.ACME, k -> {}));

      assertThat(outcome.reason()).isEqualTo(IssuerReason.KeyNotLimited);
      assertThat(outcome.ready()).isTrue();
      assertThat(outcome.message()).contains("NOT limited").contains("nameserver-config ConfigMap");
      // the limit probe's record was removed again
      assertThat(broad.txt("_dnsupdate-limit-probe.example.test.")).isEmpty();
    }
  }

  @Test
  void closingTheSignerDeletesItsContextOnTheNameserver() throws Exception {
    IssuerSettings settings = settings(gss, KerberosKdc.ACME, k -> {});
    IssuerCredential.Kerberos k = (IssuerCredential.Kerberos) settings.credential();
    KerberosIdentity identity =
        KerberosIdentity.login(k.principal(), k.kdcs(), kdc.keytabBytes(KerberosKdc.ACME));
    GssProbeSigner signer = new GssProbeSigner(identity, k, Clock.systemUTC());
    List<String> before = dynamicKeys();

    signer.client(settings.primary()).probe(org.xbill.DNS.Name.fromString("example.test."));
    List<String> during = dynamicKeys();
    signer.close();

    // named lists the negotiated context as a dynamic TSIG key until the TKEY delete
    assertThat(during).hasSize(before.size() + 1);
    assertThat(dynamicKeys()).isEqualTo(before);
  }

  /** The GSS-TSIG contexts named holds: `rndc tsig-list` shows them as dynamic keys. */
  private static List<String> dynamicKeys() {
    CommandResult listed = gss.rndc("tsig-list");
    assertThat(listed.ok()).as(listed.output()).isTrue();
    return listed.output().lines().filter(l -> l.contains("dynamic")).sorted().toList();
  }
}
