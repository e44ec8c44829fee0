package io.dnsupdate.dns;

import static io.dnsupdate.dns.EngineFixture.CHALLENGE;
import static io.dnsupdate.dns.EngineFixture.ZONE;
import static io.dnsupdate.dns.EngineFixture.client;
import static io.dnsupdate.dns.EngineFixture.credentials;
import static io.dnsupdate.dns.EngineFixture.endpoint;
import static io.dnsupdate.dns.EngineFixture.name;
import static io.dnsupdate.dns.EngineFixture.tlsEndpoint;
import static io.dnsupdate.dns.EngineFixture.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.dnsupdate.testkit.NamedExtension;
import io.dnsupdate.testkit.NamedServer;
import io.dnsupdate.testkit.TestKeys;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Update;

/** The engine against a real BIND named: every outcome a user can meet. */
@ExtendWith(NamedExtension.class)
class DnsUpdateClientIT {
  static NamedServer named;

  @BeforeAll
  static void server(NamedServer server) {
    named = server;
  }

  @Nested
  class AddAndDelete {
    @Test
    void addedValueIsServed() throws Exception {
      String value = token();

      client(named, TestKeys.ACME).addTxt(ZONE, CHALLENGE, value, 60);

      assertThat(named.txt(CHALLENGE.toString())).contains(value);
      client(named, TestKeys.ACME).deleteTxt(ZONE, CHALLENGE, value);
    }

    @Test
    void addingTwiceIsANoOp() throws Exception {
      String value = token();
      DnsUpdateClient client = client(named, TestKeys.ACME);
      client.addTxt(ZONE, CHALLENGE, value, 60);
      long serial = named.soaSerial(ZONE.toString());

      client.addTxt(ZONE, CHALLENGE, value, 60);

      assertThat(named.txt(CHALLENGE.toString())).containsOnlyOnce(value);
      assertThat(named.soaSerial(ZONE.toString())).isEqualTo(serial);
      client.deleteTxt(ZONE, CHALLENGE, value);
    }

    @Test
    void deletingOneOfTwoValuesKeepsTheOther() throws Exception {
      // apex and wildcard challenges of one order share _acme-challenge.example.test
      String apex = token();
      String wildcard = token();
      DnsUpdateClient client = client(named, TestKeys.ACME);
      client.addTxt(ZONE, CHALLENGE, apex, 60);
      client.addTxt(ZONE, CHALLENGE, wildcard, 60);

      client.deleteTxt(ZONE, CHALLENGE, apex);

      assertThat(named.txt(CHALLENGE.toString())).contains(wildcard).doesNotContain(apex);
      client.deleteTxt(ZONE, CHALLENGE, wildcard);
      assertThat(named.txt(CHALLENGE.toString())).doesNotContain(wildcard);
    }

    @Test
    void deletingTwiceSucceeds() throws Exception {
      String value = token();
      DnsUpdateClient client = client(named, TestKeys.ACME);
      client.addTxt(ZONE, CHALLENGE, value, 60);

      client.deleteTxt(ZONE, CHALLENGE, value);
      client.deleteTxt(ZONE, CHALLENGE, value);

      assertThat(named.txt(CHALLENGE.toString())).doesNotContain(value);
    }

    @Test
    void batchAppliesEveryChangeInOneMessage() throws Exception {
      String a = token();
      String b = token();
      var owner = name("_acme-challenge.a.example.test.");

      UpdateResult result =
          client(named, TestKeys.ACME)
              .apply(ZONE, List.of(TxtChange.add(CHALLENGE, a, 60), TxtChange.add(owner, b, 60)));

      assertThat(result.changes()).isEqualTo(2);
      assertThat(named.txt(CHALLENGE.toString())).contains(a);
      assertThat(named.txt(owner.toString())).contains(b);
      client(named, TestKeys.ACME)
          .apply(ZONE, List.of(TxtChange.delete(CHALLENGE, a), TxtChange.delete(owner, b)));
      assertThat(named.txt(owner.toString())).doesNotContain(b);
    }

    @Test
    void sha512KeyWorks() throws Exception {
      String value = token();

      client(named, TestKeys.ACME512).addTxt(ZONE, CHALLENGE, value, 60);

      assertThat(named.txt(CHALLENGE.toString())).contains(value);
      client(named, TestKeys.ACME512).deleteTxt(ZONE, CHALLENGE, value);
    }
  }

  @Nested
  class Refusals {
    @Test
    void aRecordIsRefusedByTheUpdatePolicy() throws Exception {
      var owner = name("_acme-challenge.example.test.");
      Update update = new Update(ZONE);
      update.add(new ARecord(owner, DClass.IN, 60, InetAddress.getByName("192.0.2.1")));

      var e =
          catchThrowableOfType(
              DnsUpdateException.class,
              () -> client(named, TestKeys.ACME).send(ZONE, update, List.of(owner), 1));

      assertThat(e.reason()).isEqualTo(FailureReason.UpdateRefused);
      assertThat(e).hasMessageContaining("REFUSED").hasMessageContaining("update-policy");
      assertThat(
              named
                  .query(owner.toString(), org.xbill.DNS.Type.A)
                  .getSection(org.xbill.DNS.Section.ANSWER))
          .isEmpty();
    }

    @Test
    void nameOutsideTheGrantIsRefused() {
      var www = name("www.example.test.");

      assertThatThrownBy(() -> client(named, TestKeys.ACME).addTxt(ZONE, www, token(), 60))
          .isInstanceOf(DnsUpdateException.class)
          .hasFieldOrPropertyWithValue("reason", FailureReason.UpdateRefused)
          .hasMessageContaining("key 'acme-key.' may not change TXT records at www.example.test.")
          .hasMessageContaining(named.address() + ":" + named.port())
          .hasMessageContaining("zone 'example.test.'");
      assertThat(named.txt("www.example.test.")).isEmpty();
    }

    @Test
    void unknownKeyIsBadKey() {
      var unknown =
          TsigCredentials.fromBase64(
              "unknown-key.", TsigAlgorithm.HMAC_SHA256, TestKeys.ACME.secret());

      var e =
          catchThrowableOfType(
              TsigRejectedException.class,
              () ->
                  client(endpoint(named, Transport.TCP), unknown)
                      .addTxt(ZONE, CHALLENGE, token(), 60));

      assertThat(e.tsigErrorName()).isEqualTo("BADKEY");
      assertThat(e.reason()).isEqualTo(FailureReason.KeyRejected);
      assertThat(e)
          .hasMessageContaining("does not know key 'unknown-key.'")
          .hasMessageContaining("example.test.")
          .message()
          .doesNotContain(TestKeys.ACME.secret());
    }

    @Test
    void wrongSecretIsBadSig() {
      var wrong =
          TsigCredentials.generate(
              "acme-key.", TsigAlgorithm.HMAC_SHA256, new java.security.SecureRandom());

      var e =
          catchThrowableOfType(
              TsigRejectedException.class,
              () ->
                  client(endpoint(named, Transport.TCP), wrong)
                      .addTxt(ZONE, CHALLENGE, token(), 60));

      assertThat(e.tsigErrorName()).isEqualTo("BADSIG");
      assertThat(e).hasMessageContaining("secret differs");
      assertThat(e.getMessage()).doesNotContain(wrong.secretBase64());
    }

    @Test
    void clockSkewIsBadTimeWithBothTimes() {
      Clock skewed = Clock.offset(Clock.systemUTC(), Duration.ofHours(-2));
      var client =
          new DnsUpdateClient(endpoint(named, Transport.TCP), credentials(TestKeys.ACME), skewed);

      var e =
          catchThrowableOfType(
              TsigRejectedException.class, () -> client.addTxt(ZONE, CHALLENGE, token(), 60));

      assertThat(e.tsigErrorName()).isEqualTo("BADTIME");
      assertThat(e.serverTime()).isPresent();
      assertThat(Duration.between(e.serverTime().get(), Instant.now()).abs())
          .isLessThan(Duration.ofMinutes(1));
      assertThat(e)
          .hasMessageContaining("request signed at " + skewed.instant().toString().substring(0, 13))
          .hasMessageContaining("server time")
          .hasMessageContaining("NTP");
    }

    @Test
    void zoneTheServerDoesNotServeIsNotAuth() {
      var zone = name("nothere.test.");

      assertThatThrownBy(
              () ->
                  client(named, TestKeys.ACME)
                      .addTxt(zone, name("_acme-challenge.nothere.test."), token(), 60))
          .isInstanceOf(DnsUpdateException.class)
          .hasFieldOrPropertyWithValue("reason", FailureReason.ZoneNotFound)
          .hasMessageContaining("not authoritative for zone 'nothere.test.' (NOTAUTH)");
    }

    @Test
    void nameOutsideTheGivenZoneIsNotZone() {
      var owner = name("_acme-challenge.other.test.");
      Update update = new Update(ZONE);
      update.add(new org.xbill.DNS.TXTRecord(owner, DClass.IN, 60, token()));

      assertThatThrownBy(() -> client(named, TestKeys.ACME).send(ZONE, update, List.of(owner), 1))
          .isInstanceOf(DnsUpdateException.class)
          .hasFieldOrPropertyWithValue("reason", FailureReason.ZoneNotFound)
          .hasMessageContaining("NOTZONE")
          .hasMessageContaining("_acme-challenge.other.test.");
    }

    @Test
    void nameOutsideTheGivenZoneIsCaughtBeforeSending() {
      assertThatThrownBy(
              () ->
                  client(named, TestKeys.ACME)
                      .addTxt(ZONE, name("_acme-challenge.other.test."), token(), 60))
          .isInstanceOf(DnsUpdateException.class)
          .hasFieldOrPropertyWithValue("reason", FailureReason.ZoneNotFound)
          .hasMessageContaining("nothing was sent");
    }
  }

  @Nested
  class Unreachable {
    @Test
    void nothingListeningIsConnectionRefused() throws Exception {
      int port;
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = s.getLocalPort();
      }
      var endpoint =
          new ServerEndpoint(
              new Nameserver("127.0.0.1", port), Transport.TCP, null, Duration.ofSeconds(2));

      assertThatThrownBy(
              () ->
                  client(endpoint, credentials(TestKeys.ACME)).addTxt(ZONE, CHALLENGE, token(), 60))
          .isInstanceOf(DnsUpdateException.class)
          .hasFieldOrPropertyWithValue("reason", FailureReason.NameserverUnreachable)
          .hasMessageContaining("127.0.0.1:" + port + " (tcp)")
          .hasMessageContaining("connection refused");
    }

    @Test
    void nothingListeningOverUdpIsConnectionRefused() throws Exception {
      int port;
      try (java.net.DatagramSocket s =
          new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress())) {
        port = s.getLocalPort();
      }
      var endpoint =
          new ServerEndpoint(
              new Nameserver("127.0.0.1", port), Transport.UDP, null, Duration.ofSeconds(2));

      assertThatThrownBy(
              () ->
                  client(endpoint, credentials(TestKeys.ACME)).addTxt(ZONE, CHALLENGE, token(), 60))
          .isInstanceOf(DnsUpdateException.class)
          .hasFieldOrPropertyWithValue("reason", FailureReason.NameserverUnreachable)
          .hasMessageContaining("127.0.0.1:" + port + " (udp)")
          .hasMessageContaining("connection refused");
    }

    @Test
    void silentServerTimesOutAtTheDeadline() throws Exception {
      // accepts the connection and never answers, like a firewall that drops replies
      try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        var endpoint =
            new ServerEndpoint(
                new Nameserver("127.0.0.1", silent.getLocalPort()),
                Transport.TCP,
                null,
                Duration.ofMillis(700));

        var e =
            catchThrowableOfType(
                DnsUpdateException.class,
                () ->
                    client(endpoint, credentials(TestKeys.ACME))
                        .addTxt(ZONE, CHALLENGE, token(), 60));

        assertThat(e).hasMessageContaining("no answer").hasMessageContaining("within 700 ms");
        assertThat(e.reason()).isEqualTo(FailureReason.NameserverUnreachable);
      }
    }
  }

  @Nested
  class Transports {
    @Test
    void udpAddAndDelete() throws Exception {
      String value = token();
      var client = client(endpoint(named, Transport.UDP), credentials(TestKeys.ACME));

      UpdateResult added = client.addTxt(ZONE, CHALLENGE, value, 60);
      assertThat(named.txt(CHALLENGE.toString())).contains(value);
      client.deleteTxt(ZONE, CHALLENGE, value);

      assertThat(added.retriedOverTcp()).isFalse();
      assertThat(named.txt(CHALLENGE.toString())).doesNotContain(value);
    }

    @Test
    void truncatedUdpAnswerIsFetchedAgainOverTcp() throws Exception {
      var query = new DnsQuery(endpoint(named, Transport.UDP), credentials(TestKeys.ACME), null);

      DnsQuery.TxtAnswer answer = query.txt(name("big.example.test."));

      assertThat(answer.retriedOverTcp()).isTrue();
      assertThat(answer.values()).hasSize(30);
    }

    @Test
    void dnsOverTlsAddAndDelete() throws Exception {
      String value = token();
      var client = client(tlsEndpoint(named, named.tlsServerName()), credentials(TestKeys.ACME));

      client.addTxt(ZONE, CHALLENGE, value, 60);
      assertThat(named.txt(CHALLENGE.toString())).contains(value);
      client.deleteTxt(ZONE, CHALLENGE, value);

      assertThat(named.txt(CHALLENGE.toString())).doesNotContain(value);
    }

    @Test
    void dnsOverTlsVerifiesTheServerName() {
      var client = client(tlsEndpoint(named, "wrong.example.test"), credentials(TestKeys.ACME));

      assertThatThrownBy(() -> client.addTxt(ZONE, CHALLENGE, token(), 60))
          .isInstanceOf(DnsUpdateException.class)
          .hasFieldOrPropertyWithValue("reason", FailureReason.NameserverUnreachable)
          .hasMessageContaining("TLS with nameserver")
          .hasMessageContaining("wrong.example.test");
    }
  }

  @Nested
  class Probe {
    @Test
    void acceptedKeyPassesWithoutChangingTheZone() throws Exception {
      long serial = named.soaSerial(ZONE.toString());

      client(named, TestKeys.ACME).probe(ZONE);

      assertThat(named.soaSerial(ZONE.toString())).isEqualTo(serial);
    }

    @Test
    void unknownKeyFails() {
      var unknown =
          TsigCredentials.fromBase64("nobody.", TsigAlgorithm.HMAC_SHA256, TestKeys.ACME.secret());

      assertThatThrownBy(() -> client(endpoint(named, Transport.TCP), unknown).probe(ZONE))
          .isInstanceOf(TsigRejectedException.class)
          .hasMessageContaining("BADKEY");
    }

    @Test
    void wrongZoneFails() {
      assertThatThrownBy(() -> client(named, TestKeys.ACME).probe(name("nothere.test.")))
          .isInstanceOf(DnsUpdateException.class)
          .hasFieldOrPropertyWithValue("reason", FailureReason.ZoneNotFound);
    }
  }
}
