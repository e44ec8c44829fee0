package io.dnsupdate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.dns.DnsUpdateClient;
import io.dnsupdate.dns.Nameserver;
import io.dnsupdate.dns.ServerEndpoint;
import io.dnsupdate.dns.Transport;
import io.dnsupdate.dns.TsigAlgorithm;
import io.dnsupdate.dns.TsigCredentials;
import io.dnsupdate.e2e.acme.AcmeOrderClient;
import io.dnsupdate.e2e.acme.ChallengeSolver;
import io.dnsupdate.e2e.acme.DnsChallenge;
import io.dnsupdate.e2e.acme.IssuedChain;
import io.dnsupdate.testkit.NamedExtension;
import io.dnsupdate.testkit.NamedServer;
import io.dnsupdate.testkit.PebbleServer;
import io.dnsupdate.testkit.TestKeys;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.xbill.DNS.Name;

/**
 * The ACME half of the end-to-end flow with the engine as the solver: proves Pebble validates
 * against the real named before the operator and webhook are added in front.
 */
@ExtendWith(NamedExtension.class)
class AcmeWithEngineIT {
  @Test
  void pebbleIssuesACertificateForApexWildcardAndSubdomain(NamedServer named) throws Exception {
    TsigCredentials key =
        TsigCredentials.fromBase64(
            TestKeys.ACME.name(), TsigAlgorithm.HMAC_SHA256, TestKeys.ACME.secret());
    DnsUpdateClient dns =
        new DnsUpdateClient(
            new ServerEndpoint(
                new Nameserver(named.address(), named.port()), Transport.TCP, null, null),
            key,
            Clock.systemUTC());
    Name zone = Name.fromString("example.test.");
    ChallengeSolver solver =
        new ChallengeSolver() {
          @Override
          public void present(DnsChallenge c) throws Exception {
            dns.addTxt(zone, Name.fromString(c.fqdn()), c.key(), 60);
          }

          @Override
          public void cleanUp(DnsChallenge c) throws Exception {
            dns.deleteTxt(zone, Name.fromString(c.fqdn()), c.key());
          }
        };

    try (PebbleServer pebble = PebbleServer.start(named)) {
      IssuedChain issued =
          new AcmeOrderClient(pebble.directoryUrl(), pebble.sslContext(), System.out::println)
              .order(
                  List.of("example.test", "*.example.test", "a.b.example.test"),
                  solver,
                  Duration.ofSeconds(60));

      X509Certificate leaf = issued.leaf();
      assertThat(leaf.getSubjectAlternativeNames())
          .extracting(san -> (Object) san.get(1))
          .containsExactlyInAnyOrder((Object) "example.test", "*.example.test", "a.b.example.test");
      X509Certificate top = issued.chain().get(issued.chain().size() - 1);
      X509Certificate root = pebble.rootCertificates().get(0);
      top.verify(root.getPublicKey());
    }
    assertThat(named.txt("_acme-challenge.example.test.")).isEmpty();
    assertThat(named.txt("_acme-challenge.a.b.example.test.")).isEmpty();
  }
}
