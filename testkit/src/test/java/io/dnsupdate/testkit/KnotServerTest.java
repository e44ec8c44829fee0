package io.dnsupdate.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

class KnotServerTest {

  @Test
  void servesTheZoneAndTakesAnIncludedKeyAndAclOnReload(@TempDir Path dir) throws Exception {
    Path snippet =
        Files.writeString(
            dir.resolve("acme.conf"),
            "key:\n  - id: "
                + TestKeys.ACME.name()
                + "\n    algorithm: hmac-sha256\n    secret: "
                + TestKeys.ACME.secret()
                + "\nacl:\n  - id: acme-update\n    key: "
                + TestKeys.ACME.name()
                + "\n    action: update\n");
    Path workDir;
    try (KnotServer knot =
        KnotServer.builder()
            .primaryZone(StandardZones.EXAMPLE, StandardZones.exampleRecords())
            .start()) {
      workDir = knot.workDir();
      assertThat(knot.query("www.example.test.", Type.A).getRcode()).isEqualTo(Rcode.NOERROR);
      assertThat(knot.zoneContents(StandardZones.EXAMPLE))
          .contains("www.example.test.\t60\tin\ta\t127.0.0.1");

      // the key is unknown before the include: Knot answers NOTAUTH
      assertThat(knot.nsupdate(TestKeys.ACME, "update add x.example.test. 60 TXT \"v\"").output())
          .contains("NOTAUTH");

      knot.addInclude(snippet).addZoneAcl(StandardZones.EXAMPLE, "acme-update").reload();
      CommandResult r = knot.nsupdate(TestKeys.ACME, "update add x.example.test. 60 TXT \"v\"");
      assertThat(r.ok()).as(r.output()).isTrue();
      assertThat(knot.txt("x.example.test.")).containsExactly("v");

      assertThat(
              knot.checkConfig("zone:\n  - domain: example.test.\n    acl: [ acme-update ]\n").ok())
          .isTrue();
      assertThat(knot.checkConfig("zone: [ { domain: other.test., acl: [ acme-update ] } ]").ok())
          .isFalse();
    }
    assertThat(workDir).doesNotExist();
  }

  @Test
  void aConfigurationKnotRejectsFailsTheReloadWithItsReason(@TempDir Path dir) throws Exception {
    Path bad = Files.writeString(dir.resolve("bad.conf"), "acl:\n  - id: x\n    action: fly\n");
    try (KnotServer knot =
        KnotServer.builder()
            .primaryZone(StandardZones.EXAMPLE, StandardZones.exampleRecords())
            .start()) {
      knot.addInclude(bad);
      assertThatThrownBy(knot::reload)
          .hasMessageContaining("conf-check")
          .hasMessageContaining("fly");
    }
  }
}
