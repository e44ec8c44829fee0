package io.dnsupdate.dns;

import static io.dnsupdate.dns.EngineFixture.credentials;
import static io.dnsupdate.dns.EngineFixture.endpoint;
import static io.dnsupdate.dns.EngineFixture.name;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnsupdate.testkit.NamedExtension;
import io.dnsupdate.testkit.NamedServer;
import io.dnsupdate.testkit.TestKeys;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Zone discovery by SOA queries against a real named. */
@ExtendWith(NamedExtension.class)
class ZoneFinderIT {
  static ZoneFinder finder;

  @BeforeAll
  static void server(NamedServer named) {
    finder =
        new ZoneFinder(
            new DnsQuery(endpoint(named, Transport.TCP), credentials(TestKeys.ACME), null));
  }

  @ParameterizedTest
  @CsvSource({
    "example.test., example.test.",
    "_acme-challenge.example.test., example.test.",
    "_acme-challenge.a.b.example.test., example.test.",
    "www.example.test., example.test.",
    "_acme-challenge.other.test., other.test.",
  })
  void findsTheEnclosingZone(String fqdn, String zone) throws Exception {
    assertThat(finder.findZone(name(fqdn))).isEqualTo(name(zone));
  }

  @org.junit.jupiter.api.Test
  void nameInNoServedZoneIsZoneNotFound() {
    assertThatThrownBy(() -> finder.findZone(name("_acme-challenge.elsewhere.invalid.")))
        .isInstanceOf(DnsUpdateException.class)
        .hasMessageContaining("_acme-challenge.elsewhere.invalid.")
        .extracting(e -> ((DnsUpdateException) e).reason())
        .isEqualTo(FailureReason.ZoneNotFound);
  }
}
