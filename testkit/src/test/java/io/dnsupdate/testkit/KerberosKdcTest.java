package io.dnsupdate.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * The KDC and the GSS-TSIG named together, proven with the reference client {@code nsupdate -g}.
 */
class KerberosKdcTest {

  private static KerberosKdc kdc;
  private static NamedServer named;

  @BeforeAll
  static void start() {
    kdc = KerberosKdc.startStandard();
    named = StandardZones.gssPrimaryBuilder(kdc).start();
  }

  @AfterAll
  static void stop() {
    if (named != null) {
      named.close();
    }
    if (kdc != null) {
      kdc.close();
    }
  }

  @Test
  void standardRealmHasKeytabsAndAnOwnKrb5Conf() throws Exception {
    assertThat(kdc.isRunning()).isTrue();
    for (String p : List.of(KerberosKdc.DNS_SERVICE, KerberosKdc.ACME, KerberosKdc.OTHER)) {
      assertThat(Files.size(kdc.keytab(p))).isPositive();
    }
    assertThat(Files.readString(kdc.krb5Conf()))
        .contains("default_realm = EXAMPLE.TEST")
        .contains("kdc = " + kdc.kdcAddress());
    assertThat(Files.readString(named.configFile()))
        .contains("tkey-gssapi-keytab \"" + kdc.keytab(KerberosKdc.DNS_SERVICE) + "\"")
        .contains("grant acme@EXAMPLE.TEST name _acme-challenge.www.example.test. TXT;");
  }

  @Test
  void nsupdateWithKerberosAddsTheGrantedTxtAndIsRefusedAnARecord() {
    Map<String, String> env = kdc.kinit(KerberosKdc.ACME);

    // nsupdate -g names the service principal after the zone's SOA MNAME (ns1.example.test),
    // asking the given server for the SOA; the server line spares it resolving that name.
    CommandResult txt =
        nsupdate(env, "update add " + KerberosKdc.GSS_CHALLENGE_NAME + " 60 TXT gss");
    assertThat(txt.ok()).as(txt.output()).isTrue();
    assertThat(named.query(KerberosKdc.GSS_CHALLENGE_NAME, Type.TXT).getSection(Section.ANSWER))
        .singleElement()
        .satisfies(r -> assertThat(((TXTRecord) r).getStrings()).containsExactly("gss"));
    assertThat(Commands.tail(named.logFile(), 20)).contains("/key acme\\@EXAMPLE.TEST: updating");

    CommandResult a = nsupdate(env, "update add gss-a.example.test. 60 A 127.0.0.9");
    assertThat(a.ok()).isFalse();
    assertThat(a.output()).contains("REFUSED");
  }

  @Test
  void aPrincipalWithoutAGrantIsRefused() {
    Map<String, String> env = kdc.kinit(KerberosKdc.OTHER);
    CommandResult r = nsupdate(env, "update add " + KerberosKdc.GSS_CHALLENGE_NAME + " 60 TXT x");
    assertThat(r.ok()).isFalse();
    assertThat(r.output()).contains("REFUSED");
  }

  @Test
  void stoppedKdcIsDownAndComesBackOnTheSamePort() {
    int port = kdc.port();
    kdc.stop();
    assertThat(kdc.isRunning()).isFalse();
    kdc.restart();
    assertThat(kdc.isRunning()).isTrue();
    assertThat(kdc.port()).isEqualTo(port);
  }

  @Test
  void closeRemovesTheDirectory() {
    KerberosKdc own = KerberosKdc.start("OWN.TEST", List.of("someone"));
    Path dir = own.workDir();
    assertThat(own.keytab("someone")).exists();
    own.close();
    assertThat(dir).doesNotExist();
  }

  private static CommandResult nsupdate(Map<String, String> env, String update) {
    String script =
        "server "
            + named.address()
            + " "
            + named.port()
            + "\nzone "
            + StandardZones.EXAMPLE
            + "\n"
            + update
            + "\nsend\n";
    return Commands.run(List.of("nsupdate", "-g"), env, script, Duration.ofSeconds(30));
  }
}
