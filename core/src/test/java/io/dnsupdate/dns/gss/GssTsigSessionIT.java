package io.dnsupdate.dns.gss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnsupdate.dns.FailureReason;
import io.dnsupdate.testkit.CommandResult;
import io.dnsupdate.testkit.Commands;
import io.dnsupdate.testkit.KerberosKdc;
import io.dnsupdate.testkit.MutableClock;
import io.dnsupdate.testkit.NamedServer;
import io.dnsupdate.testkit.StandardZones;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;
import org.xbill.DNS.Update;

/** GSS-TSIG against a real MIT KDC and a real BIND with tkey-gssapi-keytab, on loopback. */
class GssTsigSessionIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final String SERVER_NAME = "ns1.example.test";

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

  static KerberosCredentials credentials(String principal, Path keytab) {
    return new KerberosCredentials(kdc.principal(principal), keytab, List.of(kdc.kdcAddress()));
  }

  static KerberosIdentity login(String principal) throws GssTsigException {
    return KerberosIdentity.login(credentials(principal, kdc.keytab(principal)));
  }

  static GssTsigSession session(String principal) throws GssTsigException {
    return GssTsigSession.negotiate(login(principal), named.socketAddress(), SERVER_NAME, TIMEOUT);
  }

  static Update addTxt(String owner, String value) throws Exception {
    Update u = new Update(Name.fromString(StandardZones.EXAMPLE + "."));
    u.add(
        Name.fromString(owner),
        Type.TXT,
        60,
        new TXTRecord(Name.fromString(owner), 1, 60, value).rdataToString());
    return u;
  }

  static Message soaQuery() throws Exception {
    Message q = new Message();
    q.addRecord(
        Record.newRecord(Name.fromString(StandardZones.EXAMPLE + "."), Type.SOA, DClass.IN),
        Section.QUESTION);
    return q;
  }

  static List<String> txtValues() {
    return named.query(KerberosKdc.GSS_CHALLENGE_NAME, Type.TXT).getSection(Section.ANSWER).stream()
        .map(r -> String.join("", ((TXTRecord) r).getStrings()))
        .toList();
  }

  @Nested
  class Granted {

    @Test
    void negotiatesAddsTheTxtAndReusesTheContextToDeleteIt() throws Exception {
      String value = UUID.randomUUID().toString();
      try (GssTsigSession s = session(KerberosKdc.ACME)) {
        assertThat(s.keyName().toString()).endsWith(".sig-ns1.example.test.");
        assertThat(s.principal()).isEqualTo("acme@EXAMPLE.TEST");
        assertThat(s.isUsable(Duration.ofMinutes(1))).isTrue();

        Message added = s.update(addTxt(KerberosKdc.GSS_CHALLENGE_NAME, value));
        assertThat(added.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(txtValues()).contains(value);

        Update delete = new Update(Name.fromString(StandardZones.EXAMPLE + "."));
        delete.delete(new TXTRecord(Name.fromString(KerberosKdc.GSS_CHALLENGE_NAME), 1, 60, value));
        assertThat(s.update(delete).getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(txtValues()).doesNotContain(value);
      }
      assertThat(Files.readString(named.logFile())).contains("/key acme\\@EXAMPLE.TEST: updating");
    }

    @Test
    void nsupdateAndTheEngineChangeEachOthersRecords() throws Exception {
      String fromNsupdate = "nsupdate-" + UUID.randomUUID();
      String fromEngine = "engine-" + UUID.randomUUID();
      Map<String, String> env = kdc.kinit(KerberosKdc.ACME);
      nsupdate(env, "update add " + KerberosKdc.GSS_CHALLENGE_NAME + " 60 TXT " + fromNsupdate);
      try (GssTsigSession s = session(KerberosKdc.ACME)) {
        s.update(addTxt(KerberosKdc.GSS_CHALLENGE_NAME, fromEngine));
        assertThat(txtValues()).contains(fromNsupdate, fromEngine);
        Update delete = new Update(Name.fromString(StandardZones.EXAMPLE + "."));
        delete.delete(
            new TXTRecord(Name.fromString(KerberosKdc.GSS_CHALLENGE_NAME), 1, 60, fromNsupdate));
        s.update(delete);
      }
      nsupdate(env, "update delete " + KerberosKdc.GSS_CHALLENGE_NAME + " TXT " + fromEngine);
      assertThat(txtValues()).doesNotContain(fromNsupdate, fromEngine);
    }

    private void nsupdate(Map<String, String> env, String line) {
      String script =
          "server "
              + named.address()
              + " "
              + named.port()
              + "\nzone "
              + StandardZones.EXAMPLE
              + "\n"
              + line
              + "\nsend\n";
      CommandResult r = Commands.run(List.of("nsupdate", "-g"), env, script, TIMEOUT);
      assertThat(r.ok()).as(r.output()).isTrue();
    }

    @Test
    void aContextTheServerForgotIsRejectedAndANewOneWorks() throws Exception {
      Message probe = soaQuery();
      try (GssTsigSession first = session(KerberosKdc.ACME)) {
        assertThat(first.send(probe).getRcode()).isEqualTo(Rcode.NOERROR);
        first.deleteOnServer();

        // The context still exists here, named has forgotten it: BADKEY, the cue to renegotiate.
        assertThatThrownBy(() -> first.send(soaQuery()))
            .isInstanceOfSatisfying(
                GssTsigException.class,
                e -> assertThat(e.problem()).isEqualTo(GssProblem.SIGNATURE_REJECTED))
            .hasMessageContaining("BADKEY")
            .hasMessageContaining("negotiate a new one");
      }
      try (GssTsigSession again = session(KerberosKdc.ACME)) {
        assertThat(again.update(addTxt(KerberosKdc.GSS_CHALLENGE_NAME, "again")).getRcode())
            .isEqualTo(Rcode.NOERROR);
        again.delete();
        assertThatThrownBy(() -> again.send(soaQuery())).isInstanceOf(IllegalStateException.class);
      }
    }

    @Test
    void theKeytabFileIsNotNeededAfterLogin() throws Exception {
      // What a keytab from a Secret needs: a file for the login only (the TGT is in the Subject).
      Path copy = Files.createTempFile("acme", ".keytab");
      Files.write(copy, kdc.keytabBytes(KerberosKdc.ACME));
      KerberosIdentity acme = KerberosIdentity.login(credentials(KerberosKdc.ACME, copy));
      Files.delete(copy);
      try (GssTsigSession s =
          GssTsigSession.negotiate(acme, named.socketAddress(), SERVER_NAME, TIMEOUT)) {
        assertThat(s.update(addTxt(KerberosKdc.GSS_CHALLENGE_NAME, "no-file")).getRcode())
            .isEqualTo(Rcode.NOERROR);
      }
    }

    @Test
    void theWindowsAlgorithmNameWorksToo() throws Exception {
      try (GssTsigSession s =
          GssTsigSession.negotiate(
              login(KerberosKdc.ACME),
              named.socketAddress(),
              SERVER_NAME,
              GssTsigSession.servicePrincipal(SERVER_NAME, kdc.realm()),
              GssTsigSession.GSS_MICROSOFT,
              TIMEOUT,
              java.time.Clock.systemUTC())) {
        assertThat(s.update(addTxt(KerberosKdc.GSS_CHALLENGE_NAME, "ms")).getRcode())
            .isEqualTo(Rcode.NOERROR);
        s.delete();
      }
    }

    @Test
    void anARecordIsRefusedByPolicy() throws Exception {
      try (GssTsigSession s = session(KerberosKdc.ACME)) {
        Update u = new Update(Name.fromString(StandardZones.EXAMPLE + "."));
        u.add(
            new ARecord(
                Name.fromString("gss-a.example.test."),
                1,
                60,
                java.net.InetAddress.getByName("127.0.0.9")));
        assertThatThrownBy(() -> s.update(u))
            .isInstanceOfSatisfying(
                GssTsigException.class,
                e -> {
                  assertThat(e.problem()).isEqualTo(GssProblem.UPDATE_REFUSED);
                  assertThat(e.reason()).isEqualTo(FailureReason.UpdateRefused);
                })
            .hasMessageContaining("REFUSED")
            .hasMessageContaining("acme@EXAMPLE.TEST");
      }
    }

    @Test
    void aPrincipalWithoutAGrantIsRefused() throws Exception {
      try (GssTsigSession s = session(KerberosKdc.OTHER)) {
        assertThatThrownBy(() -> s.update(addTxt(KerberosKdc.GSS_CHALLENGE_NAME, "x")))
            .isInstanceOfSatisfying(
                GssTsigException.class,
                e -> assertThat(e.problem()).isEqualTo(GssProblem.UPDATE_REFUSED));
      }
    }
  }

  @Nested
  class Verification {

    @Test
    void aChangedAnswerDoesNotVerify() throws Exception {
      try (TamperingProxy proxy = new TamperingProxy(named.socketAddress());
          GssTsigSession s =
              GssTsigSession.negotiate(
                  login(KerberosKdc.ACME), proxy.address(), SERVER_NAME, TIMEOUT)) {
        proxy.tamper(TamperingProxy::flipHeaderBit);
        assertThatThrownBy(() -> s.send(soaQuery()))
            .isInstanceOfSatisfying(
                GssTsigException.class,
                e -> {
                  assertThat(e.problem()).isEqualTo(GssProblem.RESPONSE_NOT_VERIFIED);
                  assertThat(e.reason()).isEqualTo(FailureReason.ResponseNotVerified);
                })
            .hasMessageContaining("did not verify");
      }
    }

    @Test
    void anUnsignedAnswerIsNotTrusted() throws Exception {
      try (TamperingProxy proxy = new TamperingProxy(named.socketAddress());
          GssTsigSession s =
              GssTsigSession.negotiate(
                  login(KerberosKdc.ACME), proxy.address(), SERVER_NAME, TIMEOUT)) {
        proxy.tamper(TamperingProxy::stripTsig);
        assertThatThrownBy(() -> s.update(addTxt(KerberosKdc.GSS_CHALLENGE_NAME, "unsigned")))
            .isInstanceOfSatisfying(
                GssTsigException.class,
                e -> assertThat(e.problem()).isEqualTo(GssProblem.RESPONSE_NOT_VERIFIED))
            .hasMessageContaining("unsigned");
      }
    }

    @Test
    void aChangedTkeyAnswerFailsTheNegotiation() throws Exception {
      KerberosIdentity acme = login(KerberosKdc.ACME);
      try (TamperingProxy proxy = new TamperingProxy(named.socketAddress())) {
        proxy.tamper(TamperingProxy::flipHeaderBit);
        assertThatThrownBy(
                () -> GssTsigSession.negotiate(acme, proxy.address(), SERVER_NAME, TIMEOUT))
            .isInstanceOfSatisfying(
                GssTsigException.class,
                e -> assertThat(e.problem()).isEqualTo(GssProblem.RESPONSE_NOT_VERIFIED));
      }
    }
  }

  @Nested
  class Clocks {

    @Test
    void aRequestSignedTenMinutesAheadIsBadtimeAndNamedAsClockSkew() throws Exception {
      MutableClock clock = new MutableClock(Instant.now());
      try (GssTsigSession s =
          GssTsigSession.negotiate(
              login(KerberosKdc.ACME),
              named.socketAddress(),
              SERVER_NAME,
              GssTsigSession.servicePrincipal(SERVER_NAME, kdc.realm()),
              TIMEOUT,
              clock)) {
        clock.advance(Duration.ofMinutes(10));
        assertThatThrownBy(() -> s.send(soaQuery()))
            .isInstanceOfSatisfying(
                GssTsigException.class,
                e -> assertThat(e.problem()).isEqualTo(GssProblem.CLOCK_SKEW))
            .hasMessageContaining("BADTIME");
      }
    }

    @Test
    void anAnswerSignedFarFromOurClockIsClockSkew() throws Exception {
      // Our clock ten minutes behind: named signs its TKEY answer at its own (real) time.
      MutableClock clock = new MutableClock(Instant.now().minus(Duration.ofMinutes(10)));
      KerberosIdentity acme = login(KerberosKdc.ACME);
      assertThatThrownBy(
              () ->
                  GssTsigSession.negotiate(
                      acme,
                      named.socketAddress(),
                      SERVER_NAME,
                      GssTsigSession.servicePrincipal(SERVER_NAME, kdc.realm()),
                      TIMEOUT,
                      clock))
          .isInstanceOfSatisfying(
              GssTsigException.class, e -> assertThat(e.problem()).isEqualTo(GssProblem.CLOCK_SKEW))
          .hasMessageContaining("synchronise the clocks");
    }
  }

  @Nested
  class Credentials {

    @Test
    void anUnknownPrincipalIsNamed() {
      kdc.addPrincipal("gone");
      kdc.deletePrincipal("gone");
      assertThatThrownBy(() -> login("gone"))
          .isInstanceOfSatisfying(
              GssTsigException.class,
              e ->
                  assertThat(e.problem())
                      .as("%s", e.getMessage())
                      .isEqualTo(GssProblem.PRINCIPAL_UNKNOWN))
          .hasMessageContaining("does not know principal 'gone@EXAMPLE.TEST'");
    }

    @Test
    void anotherPrincipalsKeytabIsRejected() {
      assertThatThrownBy(
              () ->
                  KerberosIdentity.login(
                      credentials(KerberosKdc.ACME, kdc.keytab(KerberosKdc.OTHER))))
          .isInstanceOfSatisfying(
              GssTsigException.class,
              e -> assertThat(e.problem()).isEqualTo(GssProblem.KEYTAB_REJECTED))
          .hasMessageContaining("acme@EXAMPLE.TEST");
    }

    @Test
    void aStaleKeytabIsRejected() throws Exception {
      kdc.addPrincipal("stale");
      Path old = Files.createTempFile("stale", ".keytab");
      try {
        Files.write(old, kdc.keytabBytes("stale"));
        kdc.rekeyWithoutExport("stale");
        assertThatThrownBy(() -> KerberosIdentity.login(credentials("stale", old)))
            .isInstanceOfSatisfying(
                GssTsigException.class,
                e -> assertThat(e.problem()).isEqualTo(GssProblem.KEYTAB_REJECTED))
            .hasMessageContaining("export a fresh keytab");
      } finally {
        Files.deleteIfExists(old);
      }
    }

    @Test
    void aKdcThatIsDownIsNamed() throws Exception {
      // A realm of its own, so that the standard realm's KDC list stays as it is.
      Path keytab = Files.createTempFile("down", ".keytab");
      try (KerberosKdc down = KerberosKdc.start("DOWN.TEST", List.of("acme"))) {
        Files.write(keytab, down.keytabBytes("acme"));
        down.stop();
        KerberosCredentials c =
            new KerberosCredentials("acme@DOWN.TEST", keytab, List.of(down.kdcAddress()));
        assertThatThrownBy(() -> KerberosIdentity.login(c))
            .isInstanceOfSatisfying(
                GssTsigException.class,
                e -> assertThat(e.problem()).isEqualTo(GssProblem.KDC_UNREACHABLE))
            .hasMessageContaining(down.kdcAddress());
      } finally {
        Files.deleteIfExists(keytab);
      }
    }
  }

  @Nested
  class Server {

    @Test
    void aServicePrincipalTheKdcDoesNotKnowIsNamed() throws Exception {
      KerberosIdentity acme = login(KerberosKdc.ACME);
      assertThatThrownBy(
              () ->
                  GssTsigSession.negotiate(
                      acme, named.socketAddress(), "ns9.example.test", TIMEOUT))
          .isInstanceOfSatisfying(
              GssTsigException.class,
              e ->
                  assertThat(e.problem())
                      .as("%s / %s", e.getMessage(), e.getCause())
                      .isEqualTo(GssProblem.SERVICE_PRINCIPAL_UNKNOWN))
          .hasMessageContaining("DNS/ns9.example.test@EXAMPLE.TEST");
    }

    @Test
    void aNameserverWithoutTheServiceKeyRejectsTheContext() throws Exception {
      kdc.addPrincipal("DNS/ns2.example.test");
      KerberosIdentity acme = login(KerberosKdc.ACME);
      assertThatThrownBy(
              () ->
                  GssTsigSession.negotiate(
                      acme, named.socketAddress(), "ns2.example.test", TIMEOUT))
          .isInstanceOfSatisfying(
              GssTsigException.class,
              e -> assertThat(e.problem()).isEqualTo(GssProblem.CONTEXT_REJECTED))
          .hasMessageContaining("DNS/ns2.example.test@EXAMPLE.TEST");
    }
  }
}
