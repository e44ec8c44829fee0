package io.dnsupdate.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;
import org.xbill.DNS.Update;

@ExtendWith(NamedExtension.class)
class NamedServerTest {

  @Test
  void standardZonesAnswerSoaOverTcp(NamedServer named) {
    for (String zone : List.of(StandardZones.EXAMPLE, StandardZones.OTHER)) {
      Message m = named.query(zone, Type.SOA);
      assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
      assertThat(m.getHeader().getFlag(Flags.AA)).isTrue();
      SOARecord soa = (SOARecord) m.getSection(Section.ANSWER).get(0);
      assertThat(soa.getHost().toString()).isEqualTo("ns1.example.test.");
      assertThat(soa.getRefresh()).isEqualTo(60);
    }
    assertThat(named.address()).isEqualTo("127.0.0.1");
    assertThat(named.soaSerial(StandardZones.EXAMPLE)).isPositive();
  }

  @Test
  void dnsOverTlsAnswersKdigAndJsse(NamedServer named) {
    CommandResult kdig =
        Commands.run(
            "kdig",
            "+tls-ca=" + named.tlsCaPemFile(),
            "+tls-hostname=" + named.tlsServerName(),
            "@" + named.address(),
            "-p",
            String.valueOf(named.tlsPort()),
            "example.test",
            "SOA");
    assertThat(kdig.ok()).as(kdig.output()).isTrue();
    assertThat(kdig.output()).contains("NOERROR").contains("ns1.example.test.").contains("TLS");

    Message m = named.queryTls("www.example.test", Type.A);
    assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(((ARecord) m.getSection(Section.ANSWER).get(0)).getAddress().getHostAddress())
        .isEqualTo("127.0.0.1");
  }

  @Test
  void acmeKeyMayAddChallengeTxtButNotAnAddress(NamedServer named) {
    String fqdn = "_acme-challenge.example.test.";
    CommandResult add = named.nsupdate(TestKeys.ACME, "update add " + fqdn + " 60 TXT \"token-1\"");
    assertThat(add.ok()).as(add.output()).isTrue();
    assertThat(named.txt(fqdn)).contains("token-1");

    CommandResult
        refused = // check-names no: nsupdate itself refuses an A record at an underscore name
            // otherwise.
            named.nsupdate(
                TestKeys.ACME, "check-names no", "update add " + fqdn + " 60 A 192.0.2.1");
    assertThat(refused.ok()).isFalse();
    assertThat(refused.output()).contains("REFUSED");

    CommandResult elsewhere =
        named.nsupdate(TestKeys.ACME, "update add www2.example.test. 60 TXT \"nope\"");
    assertThat(elsewhere.output()).contains("REFUSED");

    CommandResult sha512 =
        named.nsupdate(
            TestKeys.ACME512, "update add _acme-challenge.a.b.example.test. 60 TXT \"token-2\"");
    assertThat(sha512.ok()).as(sha512.output()).isTrue();
    assertThat(named.txt("_acme-challenge.a.b.example.test")).containsExactly("token-2");

    CommandResult bench =
        named.nsupdate(
            TestKeys.ACME, "update add x1._bench._acme-challenge.example.test. 60 TXT \"b\"");
    assertThat(bench.ok()).as(bench.output()).isTrue();

    assertThat(named.nsupdate(TestKeys.ACME, "update delete " + fqdn + " TXT \"token-1\"").ok())
        .isTrue();
    assertThat(named.txt(fqdn)).doesNotContain("token-1");
  }

  @Test
  void otherZoneTakesOnlyTheAdminKey(NamedServer named) {
    assertThat(
            named
                .nsupdate(TestKeys.ACME, "update add _acme-challenge.other.test. 60 TXT \"x\"")
                .output())
        .contains("REFUSED");
    CommandResult admin =
        named.nsupdate(TestKeys.ADMIN, "update add host.other.test. 60 A 192.0.2.7");
    assertThat(admin.ok()).as(admin.output()).isTrue();
    assertThat(named.recordStrings(StandardZones.OTHER))
        .anyMatch(r -> r.startsWith("host.other.test.") && r.endsWith("192.0.2.7"));
  }

  @Test
  void bigTxtIsTruncatedOverUdpButWholeOverTcp(NamedServer named) throws Exception {
    Message q = DnsWire.newQuery(StandardZones.BIG_TXT_NAME, Type.TXT);
    q.addRecord(new org.xbill.DNS.OPTRecord(1232, 0, 0), Section.ADDITIONAL);
    byte[] wire = q.toWire();
    try (DatagramSocket udp = new DatagramSocket()) {
      udp.setSoTimeout(5000);
      udp.send(new DatagramPacket(wire, wire.length, named.socketAddress()));
      byte[] buf = new byte[65535];
      DatagramPacket p = new DatagramPacket(buf, buf.length);
      udp.receive(p);
      Message answer = new Message(java.util.Arrays.copyOf(buf, p.getLength()));
      assertThat(answer.getHeader().getFlag(Flags.TC)).isTrue();
    }
    assertThat(named.txt(StandardZones.BIG_TXT_NAME))
        .hasSize(StandardZones.BIG_TXT_COUNT)
        .contains(StandardZones.bigTxtValue(0), StandardZones.bigTxtValue(29));
  }

  @Test
  void axfrListsTheZone(NamedServer named) {
    List<Record> records = named.records(StandardZones.EXAMPLE);
    assertThat(records).extracting(Record::getType).contains(Type.SOA, Type.NS, Type.A, Type.TXT);
    assertThat(named.recordStrings(StandardZones.EXAMPLE))
        .anyMatch(r -> r.startsWith("www.example.test.") && r.endsWith("127.0.0.1"));
  }

  @Test
  void reconfigPicksUpIncludedKeyAndPolicy(@TempDir Path tmp) throws Exception {
    try (NamedServer named =
        NamedServer.builder()
            .primaryZone(
                "inc.test",
                "@ SOA ns1.inc.test. hostmaster.inc.test. 1 60 60 86400 60\n"
                    + "@ NS ns1.inc.test.\nns1 A 127.0.0.1\n")
            .start()) {
      TestTsigKey extra =
          new TestTsigKey(
              "extra-key.", "hmac-sha256", "Ij8eNKkQpQ2a1aF8L8k3Y8M1D2oPbRr8b0Y9m1Qm3uM=");
      CommandResult before =
          named.nsupdate(extra, "update add _acme-challenge.inc.test. 60 TXT \"x\"");
      assertThat(before.ok()).isFalse();

      Path key = Files.writeString(tmp.resolve("key.conf"), extra.bindKeyClause() + "\n");
      Path policy =
          Files.writeString(
              tmp.resolve("policy.conf"),
              "update-policy { grant extra-key. name _acme-challenge.inc.test. TXT; };\n");
      named.addInclude(key).addZoneInclude("inc.test", policy).reconfig();

      CommandResult after =
          named.nsupdate(extra, "update add _acme-challenge.inc.test. 60 TXT \"x\"");
      assertThat(after.ok()).as(after.output()).isTrue();
      assertThat(named.txt("_acme-challenge.inc.test")).containsExactly("x");

      // A broken snippet is reported with named's complaint, and named keeps serving.
      Path broken = Files.writeString(tmp.resolve("broken.conf"), "this is not bind config;\n");
      named.addInclude(broken);
      assertThatThrownBy(named::reconfig)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("broken.conf");
      assertThat(named.txt("_acme-challenge.inc.test")).containsExactly("x");
      named.removeInclude(broken).reconfig();
    }
  }

  @Test
  void restartKeepsDynamicUpdates() {
    try (NamedServer named = StandardZones.startPrimary()) {
      long pid = named.pid();
      assertThat(
              named
                  .nsupdate(
                      TestKeys.ACME, "update add _acme-challenge.sub.example.test. 60 TXT \"kept\"")
                  .ok())
          .isTrue();
      named.restart();
      assertThat(named.pid()).isNotEqualTo(pid);
      assertThat(named.txt("_acme-challenge.sub.example.test")).containsExactly("kept");
      named.stop();
      assertThat(named.isRunning()).isFalse();
    }
  }

  @Test
  void secondaryAddedLaterFollowsThePrimary() {
    try (NamedServer primary = StandardZones.startPrimary();
        NamedServer secondary = NamedExtension.secondary(primary)) {
      assertThat(secondary.address()).isEqualTo("127.0.0.2");
      assertThat(secondary.port()).isEqualTo(primary.port());
      assertThat(
              primary
                  .nsupdate(
                      TestKeys.ACME, "update add _acme-challenge.a.example.test. 60 TXT \"n\"")
                  .ok())
          .isTrue();
      await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> secondary.txt("_acme-challenge.a.example.test").contains("n"));
    }
  }

  @Test
  void portIsFreeOnBothLoopbackAddresses(NamedServer named) throws Exception {
    // The primary holds the port on 127.0.0.1 only; a secondary could take it on 127.0.0.2.
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.2", named.port()))) {
      assertThat(s.getLocalPort()).isEqualTo(named.port());
    }
  }

  @Test
  void startFailureCarriesNamedsComplaint() {
    NamedServer.Builder b = NamedServer.builder().extraConfig("no-such-statement yes;");
    assertThatThrownBy(b::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("named exited")
        .hasMessageContaining("no-such-statement");
  }

  @Test
  void reloadRereadsAStaticZoneFile() throws Exception {
    try (NamedServer named =
        NamedServer.builder()
            .primaryZone(
                "static.test",
                "@ SOA ns1.static.test. hostmaster.static.test. 1 60 60 86400 60\n"
                    + "@ NS ns1.static.test.\nns1 A 127.0.0.1\n")
            .start()) {
      Path zoneFile = named.workDir().resolve("zones/static.test.db");
      Files.writeString(
          zoneFile,
          Files.readString(zoneFile).replace(" 1 60 60", " 2 60 60") + "www A 127.0.0.9\n");
      named.reload();
      assertThat(named.soaSerial("static.test")).isEqualTo(2);
      assertThat(named.query("www.static.test", Type.A).getSection(Section.ANSWER)).hasSize(1);
    }
  }

  @Test
  void dnsjavaSignsWithTheTestKeys(NamedServer named) throws Exception {
    for (TestTsigKey key : List.of(TestKeys.ACME, TestKeys.ACME512)) {
      Update update = new Update(Name.fromString("example.test."));
      update.add(
          Name.fromString("_acme-challenge.bench.example.test."), Type.TXT, 60, key.algorithm());
      SimpleResolver resolver = new SimpleResolver(named.socketAddress());
      resolver.setTCP(true);
      resolver.setTSIGKey(key.toTsig());
      Message answer = resolver.send(update);
      assertThat(Rcode.string(answer.getRcode())).isEqualTo("NOERROR");
      assertThat(answer.isVerified()).isTrue();
    }
    assertThat(named.txt("_acme-challenge.bench.example.test."))
        .containsExactlyInAnyOrder("hmac-sha256", "hmac-sha512");
  }
}
