package io.dnsupdate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.dnsupdate.api.DnsUpdateIssuerSpec;
import io.dnsupdate.api.GssAlgorithm;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The credential of an issuer: exactly one of tsigKeyRef and kerberos, each checked. */
class CredentialParserTest {

  static DnsUpdateIssuerSpec kerberosSpec(Consumer<DnsUpdateIssuerSpec.Kerberos> change) {
    DnsUpdateIssuerSpec spec = IssuerSettingsTest.minimal();
    spec.setTsigKeyRef(null);
    DnsUpdateIssuerSpec.Kerberos k = new DnsUpdateIssuerSpec.Kerberos();
    k.setPrincipal("acme@EXAMPLE.COM");
    k.setKeytabSecretRef(new DnsUpdateIssuerSpec.KeytabSecretRef("acme-keytab", null));
    change.accept(k);
    spec.setKerberos(k);
    return spec;
  }

  private static List<String> problems(DnsUpdateIssuerSpec spec) {
    return catchThrowableOfType(() -> IssuerSettings.parse(spec), InvalidSpecException.class)
        .problems();
  }

  @Test
  void aKerberosBlockWithDefaults() {
    IssuerSettings s = IssuerSettings.parse(kerberosSpec(k -> {}));

    IssuerCredential.Kerberos k = (IssuerCredential.Kerberos) s.credential();
    assertThat(k.principal()).isEqualTo("acme@EXAMPLE.COM");
    assertThat(k.realm()).isEqualTo("EXAMPLE.COM");
    assertThat(k.kdcs()).isEmpty();
    assertThat(k.keytabSecret()).isEqualTo("acme-keytab");
    assertThat(k.keytabKey()).isEqualTo("keytab");
    assertThat(k.servicePrincipal()).isEmpty();
    assertThat(k.algorithm()).isEqualTo(GssAlgorithm.GSS_TSIG);
    // as nsupdate -g: the nameserver's host, lower case, in the client's realm
    assertThat(k.servicePrincipalFor(s.primary())).isEqualTo("DNS/ns1.example.com@EXAMPLE.COM");
    assertThat(k.serverName(s.primary())).isEqualTo("ns1.example.com");
    assertThat(k.credentials(Path.of("/k")).kdcs()).isEmpty();
  }

  @Test
  void theRealmJoinsAPrincipalWithoutOneAndAServicePrincipalNamesTheServerForAddresses() {
    IssuerSettings s =
        IssuerSettings.parse(
            with(
                kerberosSpec(
                    k -> {
                      k.setPrincipal("acme");
                      k.setRealm("AD.EXAMPLE.COM");
                      k.setKdcs(List.of("dc1.ad.example.com", "127.0.0.1:8888"));
                      k.setServicePrincipal("DNS/dc1.ad.example.com");
                      k.setAlgorithm(GssAlgorithm.GSS_MICROSOFT);
                      k.setKeytabSecretRef(
                          new DnsUpdateIssuerSpec.KeytabSecretRef("kt", "acme.keytab"));
                    }),
                spec -> spec.setNameservers(List.of("127.0.0.1:5353"))));

    IssuerCredential.Kerberos k = (IssuerCredential.Kerberos) s.credential();
    assertThat(k.principal()).isEqualTo("acme@AD.EXAMPLE.COM");
    assertThat(k.kdcs()).containsExactly("dc1.ad.example.com", "127.0.0.1:8888");
    assertThat(k.servicePrincipal())
        .isEqualTo(Optional.of("DNS/dc1.ad.example.com@AD.EXAMPLE.COM"));
    assertThat(k.servicePrincipalFor(s.primary()))
        .isEqualTo("DNS/dc1.ad.example.com@AD.EXAMPLE.COM");
    assertThat(k.serverName(s.primary())).isEqualTo("dc1.ad.example.com");
    assertThat(k.keytabKey()).isEqualTo("acme.keytab");
    assertThat(k.algorithm().dnsName()).isEqualTo("gss.microsoft.com.");
    assertThat(k.describe("team-a"))
        .isEqualTo("Kerberos principal acme@AD.EXAMPLE.COM (keytab in Secret team-a/kt)");
  }

  @Test
  void bothOrNeitherIsRefused() {
    DnsUpdateIssuerSpec both = kerberosSpec(k -> {});
    both.setTsigKeyRef(new DnsUpdateIssuerSpec.TsigKeyRef("acme"));
    assertThat(problems(both))
        .anySatisfy(p -> assertThat(p).startsWith("tsigKeyRef and kerberos: both set"));

    DnsUpdateIssuerSpec neither = IssuerSettingsTest.minimal();
    neither.setTsigKeyRef(null);
    assertThat(problems(neither))
        .anySatisfy(p -> assertThat(p).startsWith("tsigKeyRef or kerberos: one is required"));
  }

  @Test
  void everyKerberosProblemIsNamedWithItsField() {
    assertThat(
            problems(
                with(
                    kerberosSpec(
                        k -> {
                          k.setPrincipal("acme");
                          k.setKdcs(List.of("kdc one"));
                          k.setKeytabSecretRef(null);
                          k.setServicePrincipal("not a principal");
                        }),
                    spec -> spec.setNameservers(List.of("10.0.0.1")))))
        .containsExactlyInAnyOrder(
            "kerberos.realm: required when kerberos.principal names no realm; or write the"
                + " principal as acme@REALM",
            "kerberos.kdcs[0]: 'kdc one' is not host or host:port",
            "kerberos.keytabSecretRef.name: required, the Secret in this namespace holding the"
                + " principal's keytab",
            "kerberos.servicePrincipal: 'not a principal' is not a service principal (e.g."
                + " DNS/ns1.example.com@EXAMPLE.COM)");
  }

  @Test
  void aRealmThatDisagreesAndAnAddressWithoutServicePrincipalAreRefused() {
    assertThat(
            problems(
                with(
                    kerberosSpec(k -> k.setRealm("OTHER.COM")),
                    spec -> spec.setNameservers(List.of("ns1.example.com", "192.0.2.53")))))
        .containsExactlyInAnyOrder(
            "kerberos.realm: 'OTHER.COM' differs from the realm of kerberos.principal"
                + " ('EXAMPLE.COM'); remove one",
            "kerberos.servicePrincipal: required because nameservers[1] is an IP address; the"
                + " nameserver's principal is DNS/<its host name>@REALM, e.g."
                + " DNS/ns1.example.com@EXAMPLE.COM");
  }

  private static DnsUpdateIssuerSpec with(
      DnsUpdateIssuerSpec spec, Consumer<DnsUpdateIssuerSpec> change) {
    change.accept(spec);
    return spec;
  }
}
