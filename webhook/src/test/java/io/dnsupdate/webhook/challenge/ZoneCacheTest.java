package io.dnsupdate.webhook.challenge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnsupdate.dns.DnsUpdateException;
import io.dnsupdate.dns.FailureReason;
import io.dnsupdate.dns.ServerEndpoint;
import io.dnsupdate.dns.TsigAlgorithm;
import io.dnsupdate.dns.TsigCredentials;
import io.dnsupdate.testkit.MutableClock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Name;

class ZoneCacheTest {
  private static final ServerEndpoint PRIMARY = ServerEndpoint.tcp("127.0.0.1:5353");
  private static final ServerEndpoint SECONDARY = ServerEndpoint.tcp("127.0.0.2:5353");
  private static final TsigCredentials KEY =
      TsigCredentials.fromBase64(
          "acme.", TsigAlgorithm.HMAC_SHA256, "zkRQRKrfa0V8dBX/JzdIE6B68Nes6PS85h85otsS5VE=");
  private static final Name OWNER = Name.fromConstantString("_acme-challenge.www.example.com.");
  private static final Name ZONE = Name.fromConstantString("example.com.");
  private static final Name SUBZONE = Name.fromConstantString("www.example.com.");

  private final MutableClock clock = MutableClock.at("2025-06-01T08:00:00Z");
  private final ZoneCache zones = new ZoneCache(clock);
  private final AtomicInteger queries = new AtomicInteger();

  private ZoneCache.Finder answering(Name zone) {
    return () -> {
      queries.incrementAndGet();
      return zone;
    };
  }

  @Test
  void aFoundZoneIsUsedForFiveMinutes() throws Exception {
    assertThat(zones.zone(PRIMARY, KEY, OWNER, false, answering(ZONE))).isEqualTo(ZONE);
    clock.advance(ZoneCache.TTL.minusNanos(1));
    assertThat(zones.zone(PRIMARY, KEY, OWNER, false, answering(SUBZONE))).isEqualTo(ZONE);

    clock.advance(Duration.ofNanos(1));

    assertThat(zones.zone(PRIMARY, KEY, OWNER, false, answering(SUBZONE))).isEqualTo(SUBZONE);
    assertThat(queries).hasValue(2);
  }

  @Test
  void freshQueriesAgainAndKeepsTheAnswer() throws Exception {
    zones.zone(PRIMARY, KEY, OWNER, false, answering(ZONE));

    assertThat(zones.zone(PRIMARY, KEY, OWNER, true, answering(SUBZONE))).isEqualTo(SUBZONE);
    assertThat(zones.zone(PRIMARY, KEY, OWNER, false, answering(ZONE))).isEqualTo(SUBZONE);
    assertThat(queries).hasValue(2);
  }

  @Test
  void eachServerIsAskedItself() throws Exception {
    zones.zone(PRIMARY, KEY, OWNER, false, answering(ZONE));

    assertThat(zones.zone(SECONDARY, KEY, OWNER, false, answering(SUBZONE))).isEqualTo(SUBZONE);
  }

  @Test
  void aFailedQueryIsNotKept() throws Exception {
    assertThatThrownBy(
            () ->
                zones.zone(
                    PRIMARY,
                    KEY,
                    OWNER,
                    false,
                    () -> {
                      throw new DnsUpdateException(FailureReason.NameserverUnreachable, "timeout");
                    }))
        .isInstanceOf(DnsUpdateException.class)
        .hasMessage("timeout");

    assertThat(zones.zone(PRIMARY, KEY, OWNER, false, answering(ZONE))).isEqualTo(ZONE);
  }

  @Test
  void keepsAtMostMaxZones() throws Exception {
    for (int i = 0; i < ZoneCache.MAX_ZONES + 100; i++) {
      Name owner = Name.fromString("_acme-challenge.host" + i + ".example.com.");
      zones.zone(PRIMARY, KEY, owner, false, answering(ZONE));
    }

    assertThat(zones.size()).isLessThanOrEqualTo(ZoneCache.MAX_ZONES);
  }
}
