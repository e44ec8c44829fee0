package io.dnsupdate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.dnsupdate.api.DnsTransport;
import io.dnsupdate.api.DnsUpdateIssuerSpec;
import io.dnsupdate.dns.ServerEndpoint;
import io.dnsupdate.dns.Transport;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.xbill.DNS.Name;

class IssuerSettingsTest {

  static DnsUpdateIssuerSpec minimal() {
    DnsUpdateIssuerSpec spec = new DnsUpdateIssuerSpec();
    spec.setNameservers(List.of("ns1.example.com"));
    spec.setTsigKeyRef(new DnsUpdateIssuerSpec.TsigKeyRef("acme"));
    spec.setDomains(List.of("example.com"));
    return spec;
  }

  static DnsUpdateIssuerSpec with(Consumer<DnsUpdateIssuerSpec> change) {
    DnsUpdateIssuerSpec spec = minimal();
    change.accept(spec);
    return spec;
  }

  static DnsUpdateIssuerSpec.Propagation propagation(Consumer<DnsUpdateIssuerSpec.Propagation> c) {
    DnsUpdateIssuerSpec.Propagation p = new DnsUpdateIssuerSpec.Propagation();
    c.accept(p);
    return p;
  }

  @Nested
  class Valid {
    @Test
    void defaultsMatchTheCrd() throws Exception {
      IssuerSettings s = IssuerSettings.parse(minimal());

      assertThat(s.servers()).hasSize(1);
      assertThat(s.primary().nameserver().host()).isEqualTo("ns1.example.com");
      assertThat(s.primary().port()).isEqualTo(53);
      assertThat(s.transport()).isEqualTo(Transport.TCP);
      assertThat(s.timeout()).isEqualTo(Duration.ofSeconds(10));
      assertThat(s.primary().timeout()).isEqualTo(Duration.ofSeconds(10));
      assertThat(s.zone()).isEmpty();
      assertThat(s.ttl()).isEqualTo(60);
      assertThat(s.credential()).isEqualTo(new IssuerCredential.TsigKeyRef("acme"));
      assertThat(s.domainPolicy().allows("_acme-challenge.www.example.com.")).isTrue();
      assertThat(s.propagation().verify()).isTrue();
      assertThat(s.propagation().explicit()).isFalse();
      assertThat(s.propagation().port()).isEqualTo(53);
      assertThat(s.propagation().timeout()).isEqualTo(Duration.ofSeconds(45));
      assertThat(s.propagation().pollInterval()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void everythingSet() throws Exception {
      DnsUpdateIssuerSpec spec =
          with(
              x -> {
                x.setNameservers(List.of("10.0.0.1", "[2001:db8::1]:8853", "ns2.example.com:853"));
                x.setTransport(DnsTransport.TLS);
                x.setTls(new DnsUpdateIssuerSpec.Tls(null, "ns.example.com"));
                x.setZone("Example.COM");
                x.setDomains(List.of("example.com", "a.example.com"));
                x.setTtl(300);
                x.setTimeout("5s");
                x.setPropagation(
                    propagation(
                        p -> {
                          p.setVerify(false);
                          p.setNameservers(List.of("192.0.2.1", "192.0.2.2:5353"));
                          p.setPort(1053);
                          p.setTimeout("PT30S");
                          p.setPollInterval("250ms");
                        }));
              });

      IssuerSettings s = IssuerSettings.parse(spec);

      assertThat(s.servers())
          .extracting(ServerEndpoint::toString)
          .containsExactly(
              "10.0.0.1:853 (tls)", "[2001:db8::1]:8853 (tls)", "ns2.example.com:853 (tls)");
      assertThat(s.servers())
          .allSatisfy(e -> assertThat(e.tls().serverName()).isEqualTo("ns.example.com"));
      assertThat(s.zone()).contains(Name.fromString("example.com."));
      assertThat(s.ttl()).isEqualTo(300);
      assertThat(s.timeout()).isEqualTo(Duration.ofSeconds(5));
      assertThat(s.propagation().verify()).isFalse();
      assertThat(s.propagation().nameservers())
          .extracting(ServerEndpoint::toString)
          .containsExactly("192.0.2.1:1053 (tcp)", "192.0.2.2:5353 (tcp)");
      assertThat(s.propagation().nameservers())
          .allSatisfy(e -> assertThat(e.timeout()).isEqualTo(Duration.ofSeconds(5)));
      assertThat(s.propagation().timeout()).isEqualTo(Duration.ofSeconds(30));
      assertThat(s.propagation().pollInterval()).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void delegatedChallengeZone() {
      IssuerSettings s = IssuerSettings.parse(with(x -> x.setZone("_acme-challenge.example.com.")));
      assertThat(s.zone()).map(Name::toString).contains("_acme-challenge.example.com.");
    }
  }

  static List<Arguments> invalidSpecs() {
    return List.of(
        Arguments.of(
            "no nameservers",
            with(x -> x.setNameservers(List.of())),
            List.of("nameservers: list at least one")),
        Arguments.of(
            "bad nameservers",
            with(
                x ->
                    x.setNameservers(
                        List.of(
                            "ns1.example.com:99999",
                            "bad host",
                            "ns1.example.com:53",
                            "ns1.example.com"))),
            List.of(
                "nameservers[0]: nameserver 'ns1.example.com:99999': port '99999' is not a number in 1-65535",
                "nameservers[1]: nameserver 'bad host': 'bad host' is not a host name or IP address",
                "nameservers[3]: 'ns1.example.com' is listed twice")),
        Arguments.of(
            "tls to an IP without server name",
            with(
                x -> {
                  x.setNameservers(List.of("192.0.2.53"));
                  x.setTransport(DnsTransport.TLS);
                }),
            List.of(
                "nameservers[0]: DNS over TLS to 192.0.2.53 needs a TLS server name: the certificate"
                    + " is verified against it (set tls.serverName)")),
        Arguments.of(
            "unreadable CA bundle, reported once",
            with(
                x -> {
                  x.setNameservers(List.of("ns1.example.com", "ns2.example.com"));
                  x.setTransport(DnsTransport.TLS);
                  x.setTls(
                      new DnsUpdateIssuerSpec.Tls("-----BEGIN CERTIFICATE-----\nnope\n", null));
                }),
            List.of("tls.caBundle: the TLS CA bundle cannot be used")),
        Arguments.of(
            "tls settings without tls transport",
            with(x -> x.setTls(new DnsUpdateIssuerSpec.Tls(null, "ns.example.com"))),
            List.of("tls: set, but transport is tcp, so messages would travel unencrypted")),
        Arguments.of(
            "no key",
            with(x -> x.setTsigKeyRef(null)),
            List.of("tsigKeyRef or kerberos: one is required")),
        Arguments.of(
            "blank key",
            with(x -> x.setTsigKeyRef(new DnsUpdateIssuerSpec.TsigKeyRef(" "))),
            List.of("tsigKeyRef.name: required")),
        Arguments.of(
            "no domains",
            with(x -> x.setDomains(null)),
            List.of("domains: list at least one domain")),
        Arguments.of(
            "bad domains, one problem each",
            with(x -> x.setDomains(List.of("*.example.org", "example.com", "a_b.example.com"))),
            List.of(
                "domains[0]: '*.example.org' has a wildcard",
                "domains[2]: 'a_b.example.com' has the label 'a_b'")),
        Arguments.of(
            "zone that does not hold the domains",
            with(
                x -> {
                  x.setZone("sub.example.com");
                  x.setDomains(List.of("example.com", "a.sub.example.com"));
                }),
            List.of(
                "zone: sub.example.com. does not contain _acme-challenge.example.com.; remove zone to"
                    + " discover it, or list only domains inside it")),
        Arguments.of(
            "malformed zone",
            with(x -> x.setZone("exa mple.com")),
            List.of("zone: 'exa mple.com' is not a domain name")),
        Arguments.of(
            "ttl too low", with(x -> x.setTtl(0)), List.of("ttl: 0 is outside 1-86400 seconds")),
        Arguments.of(
            "ttl too high",
            with(x -> x.setTtl(86401)),
            List.of("ttl: 86401 is outside 1-86400 seconds")),
        Arguments.of(
            "bad timeout",
            with(x -> x.setTimeout("10")),
            List.of("timeout: '10' is not a duration")),
        Arguments.of(
            "zero timeout", with(x -> x.setTimeout("0s")), List.of("timeout: must be positive")),
        Arguments.of(
            "timeout past the request budget",
            with(x -> x.setTimeout("2m")),
            List.of(
                "timeout: 2m is longer than the 55s budget of a webhook request (kube-apiserver"
                    + " gives up after 1m)")),
        Arguments.of(
            "timeouts adding up past the request budget",
            with(
                x -> {
                  x.setTimeout("20s");
                  x.setPropagation(propagation(p -> p.setTimeout("40s")));
                }),
            List.of(
                "timeout (20s) + propagation.timeout (40s) exceed the 55s budget of a webhook"
                    + " request (kube-apiserver gives up after 1m): lower one of them")),
        Arguments.of(
            "bad propagation settings",
            with(
                x ->
                    x.setPropagation(
                        propagation(
                            p -> {
                              p.setPort(0);
                              p.setNameservers(List.of("ns1..example.com"));
                              p.setPollInterval("1h");
                              p.setTimeout("soon");
                            }))),
            List.of(
                "propagation.port: 0 is outside 1-65535",
                "propagation.timeout: 'soon' is not a duration",
                "propagation.nameservers[0]: nameserver 'ns1..example.com'")),
        Arguments.of(
            "poll interval longer than the propagation timeout",
            with(x -> x.setPropagation(propagation(p -> p.setPollInterval("1m")))),
            List.of("propagation.pollInterval: 1m is longer than propagation.timeout (45s)")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidSpecs")
  void everyProblemIsReportedWithItsField(
      String title, DnsUpdateIssuerSpec spec, List<String> expected) {
    InvalidSpecException e =
        catchThrowableOfType(InvalidSpecException.class, () -> IssuerSettings.parse(spec));

    assertThat(e).as(title).isNotNull();
    assertThat(e.problems()).hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      assertThat(e.problems().get(i)).startsWith(expected.get(i));
    }
    assertThat(e.getMessage()).contains(e.problems().get(0));
  }

  @Test
  void manyProblemsInOneMessage() {
    DnsUpdateIssuerSpec spec = new DnsUpdateIssuerSpec();
    InvalidSpecException e =
        catchThrowableOfType(InvalidSpecException.class, () -> IssuerSettings.parse(spec));

    assertThat(e.getMessage())
        .startsWith("invalid spec (3 problems): nameservers: ")
        .contains("; domains: ")
        .contains("; tsigKeyRef or kerberos: one is required");
    assertThat(
            catchThrowableOfType(InvalidSpecException.class, () -> IssuerSettings.parse(null))
                .getMessage())
        .isEqualTo(
            "invalid spec: spec: missing; nameservers, domains and one of tsigKeyRef and kerberos"
                + " are required");
  }
}
