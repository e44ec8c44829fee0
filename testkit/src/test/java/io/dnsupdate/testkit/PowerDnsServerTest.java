package io.dnsupdate.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class PowerDnsServerTest {

  @Test
  void runsPdnsutilLinesAndEnforcesAnInstalledPolicy() {
    Path workDir;
    try (PowerDnsServer pdns =
        PowerDnsServer.builder()
            .primaryZone(StandardZones.EXAMPLE, StandardZones.exampleRecords())
            .start()) {
      workDir = pdns.workDir();
      assertThat(pdns.zoneContents(StandardZones.EXAMPLE))
          .contains("www.example.test.\t60\tin\ta\t127.0.0.1");
      String commands =
          "# a comment\n\npdnsutil import-tsig-key "
              + TestKeys.ACME.name()
              + " hmac-sha256 '"
              + TestKeys.ACME.secret()
              + "'\npdnsutil set-meta example.test. TSIG-ALLOW-DNSUPDATE "
              + TestKeys.ACME.name()
              + "\n";
      assertThat(pdns.runCommands(commands)).isEqualTo(2);
      assertThat(pdns.runCommands(commands)).isEqualTo(2);
      assertThat(pdns.tsigKeys()).containsExactly("acme-key hmac-sha256");
      assertThat(pdns.metadata(StandardZones.EXAMPLE, "TSIG-ALLOW-DNSUPDATE"))
          .containsExactly("acme-key.");

      // without a policy the key may change anything in the zone
      CommandResult r = pdns.nsupdate(TestKeys.ACME, "update delete www.example.test. A");
      assertThat(r.ok()).as(r.output()).isTrue();
      assertThat(pdns.zoneContents(StandardZones.EXAMPLE))
          .noneMatch(l -> l.startsWith("www.example.test."));

      // a policy that refuses everything: NOERROR, and nothing written
      pdns.installPolicy("function updatepolicy(input)\n  return false\nend\n");
      List<String> before = pdns.recordStrings(StandardZones.EXAMPLE);
      r = pdns.nsupdate(TestKeys.ACME, "update add www.example.test. 60 A 127.0.0.9");
      assertThat(r.ok()).as(r.output()).isTrue();
      assertThat(pdns.recordStrings(StandardZones.EXAMPLE)).isEqualTo(before);
    }
    assertThat(workDir).doesNotExist();
  }

  @Test
  void refusesLinesThatAreNotPlainPdnsutilCommands() {
    try (PowerDnsServer pdns =
        PowerDnsServer.builder()
            .primaryZone(StandardZones.EXAMPLE, StandardZones.exampleRecords())
            .start()) {
      assertThatThrownBy(() -> pdns.runCommands("rm -rf /tmp/x\n"))
          .hasMessageContaining("not a pdnsutil command");
      assertThatThrownBy(() -> pdns.runCommands("pdnsutil list-zones; true\n"))
          .hasMessageContaining("';'");
      assertThatThrownBy(() -> pdns.runCommands("pdnsutil no-such-command\n"))
          .hasMessageContaining("no-such-command failed");
    }
  }
}
