package io.dnsupdate.dns;

import static io.dnsupdate.dns.EngineFixture.ZONE;
import static io.dnsupdate.dns.EngineFixture.name;
import static io.dnsupdate.dns.EngineFixture.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnsupdate.dns.gss.GssTsigException;
import io.dnsupdate.dns.gss.GssTsigSession;
import io.dnsupdate.dns.gss.KerberosCredentials;
import io.dnsupdate.dns.gss.KerberosIdentity;
import io.dnsupdate.testkit.KerberosKdc;
import io.dnsupdate.testkit.NamedServer;
import io.dnsupdate.testkit.StandardZones;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TKEYRecord;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;
import org.xbill.DNS.Update;

/**
 * {@link DnsUpdateClient} with Kerberos credentials (GSS-TSIG) against a real MIT KDC and a real
 * BIND, through the same exchange and connection pool as HMAC-TSIG.
 */
class KerberosUpdateClientIT {
  private static final String SERVER_NAME = "ns1.example.test";
  private static final Name GRANTED = name(KerberosKdc.GSS_CHALLENGE_NAME);

  private static KerberosKdc kdc;
  private static NamedServer named;

  private ConnectionPool pool;
  private GssTsigContext context;

  @BeforeAll
  static void start() {
    kdc = KerberosKdc.startStandard();
    named = StandardZones.gssPrimaryBuilder(kdc).dnsOverTls().start();
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

  @BeforeEach
  void newContext() throws GssTsigException {
    pool = new ConnectionPool(ConnectionPool.MAX_PER_SERVER, 16, Duration.ofSeconds(10));
    context = context(KerberosKdc.ACME);
  }

  @AfterEach
  void closeContext() {
    context.close();
    pool.close();
  }

  private GssTsigContext context(String principal) throws GssTsigException {
    return context(principal, GssTsigContext.DEFAULT_MARGIN);
  }

  private GssTsigContext context(String principal, Duration margin) throws GssTsigException {
    return context(principal, margin, EngineFixture.endpoint(named, Transport.TCP));
  }

  private GssTsigContext context(String principal, Duration margin, ServerEndpoint endpoint)
      throws GssTsigException {
    KerberosIdentity identity =
        KerberosIdentity.login(
            new KerberosCredentials(
                kdc.principal(principal), kdc.keytab(principal), List.of(kdc.kdcAddress())));
    return new GssTsigContext(
        identity, endpoint, SERVER_NAME, null, null, Clock.systemUTC(), margin, pool);
  }

  private static List<String> served() {
    return named.query(KerberosKdc.GSS_CHALLENGE_NAME, Type.TXT).getSection(Section.ANSWER).stream()
        .map(r -> String.join("", ((TXTRecord) r).getStrings()))
        .toList();
  }

  @Test
  void addsAndDeletesTheGrantedTxtWithOneContext() throws Exception {
    DnsUpdateClient client = new DnsUpdateClient(context);
    String value = token();

    UpdateResult added = client.addTxt(ZONE, GRANTED, value, 60);
    assertThat(added.changes()).isEqualTo(1);
    // the serial reads before and after were signed with the context too
    assertThat(added.serial()).isPresent();
    assertThat(served()).contains(value);

    client.deleteTxt(ZONE, GRANTED, value);
    assertThat(served()).doesNotContain(value);
    assertThat(context.negotiations()).isEqualTo(1);
    assertThat(named.logFile()).content().contains("/key acme\\@EXAMPLE.TEST: updating");
  }

  @Test
  void aLoginFromKeytabBytesLeavesNoFileAndItsTicketSignsLater() throws Exception {
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    Set<Path> before = keytabDirs(tmp);
    KerberosIdentity identity =
        KerberosIdentity.login(
            kdc.principal(KerberosKdc.ACME),
            List.of(kdc.kdcAddress()),
            kdc.keytabBytes(KerberosKdc.ACME));
    // the keytab was on disk only for the login
    assertThat(keytabDirs(tmp)).isEqualTo(before);
    assertThat(identity.ticketExpiry())
        .hasValueSatisfying(t -> assertThat(t).isAfter(Instant.now().plusSeconds(60)));

    try (GssTsigContext fromBytes =
        new GssTsigContext(
            identity,
            EngineFixture.endpoint(named, Transport.TCP),
            SERVER_NAME,
            null,
            null,
            Clock.systemUTC(),
            GssTsigContext.DEFAULT_MARGIN,
            pool)) {
      String value = token();
      new DnsUpdateClient(fromBytes).addTxt(ZONE, GRANTED, value, 60);
      assertThat(served()).contains(value);
      new DnsUpdateClient(fromBytes).deleteTxt(ZONE, GRANTED, value);
    }
  }

  @Test
  void aFailedLoginFromBytesNamesTheKeytabsSourceNotTheRemovedFile() {
    assertThatThrownBy(
            () ->
                KerberosIdentity.login(
                    kdc.principal(KerberosKdc.ACME),
                    List.of(kdc.kdcAddress()),
                    kdc.keytabBytes(KerberosKdc.OTHER),
                    "the keytab in Secret team-a/acme-keytab, key keytab"))
        .isInstanceOf(GssTsigException.class)
        .hasMessageContaining("with the keytab in Secret team-a/acme-keytab, key keytab")
        .hasMessageNotContaining("dnsupdate-keytab-");
  }

  private static Set<Path> keytabDirs(Path tmp) throws IOException {
    try (Stream<Path> s = Files.list(tmp)) {
      return s.filter(p -> p.getFileName().toString().startsWith("dnsupdate-keytab-"))
          .collect(Collectors.toSet());
    }
  }

  @Test
  void negotiatesAndUpdatesOverDnsOverTls() throws Exception {
    ServerEndpoint tls = EngineFixture.tlsEndpoint(named, named.tlsServerName());
    try (GssTsigContext overTls = context(KerberosKdc.ACME, GssTsigContext.DEFAULT_MARGIN, tls)) {
      DnsUpdateClient client = new DnsUpdateClient(overTls);
      String value = token();
      assertThat(client.addTxt(ZONE, GRANTED, value, 60).serial()).isPresent();
      assertThat(served()).contains(value);
      client.deleteTxt(ZONE, GRANTED, value);
      assertThat(served()).doesNotContain(value);
      assertThat(pool.connections(tls)).isBetween(1, ConnectionPool.MAX_PER_SERVER);
      assertThat(pool.connections(EngineFixture.endpoint(named, Transport.TCP))).isZero();
    }
  }

  @Test
  void anUngrantedNameIsRefusedNamingThePrincipal() {
    DnsUpdateClient client = new DnsUpdateClient(context);
    assertThatThrownBy(
            () -> client.addTxt(ZONE, name("_acme-challenge.example.test."), token(), 60))
        .isInstanceOfSatisfying(
            DnsUpdateException.class,
            e -> assertThat(e.reason()).isEqualTo(FailureReason.UpdateRefused))
        .hasMessageContaining("REFUSED")
        .hasMessageContaining("principal 'acme@EXAMPLE.TEST'");
  }

  @Test
  void anARecordIsRefused() throws Exception {
    DnsUpdateClient client = new DnsUpdateClient(context);
    Name owner = name("gss-a.example.test.");
    Update update = new Update(ZONE);
    update.add(new ARecord(owner, 1, 60, InetAddress.getByName("127.0.0.9")));
    assertThatThrownBy(() -> client.send(ZONE, update, List.of(owner), 1))
        .isInstanceOfSatisfying(
            DnsUpdateException.class,
            e -> assertThat(e.reason()).isEqualTo(FailureReason.UpdateRefused))
        .hasMessageContaining("principal 'acme@EXAMPLE.TEST'");
  }

  @Test
  void anotherPrincipalIsRefusedAtTheGrantedName() throws Exception {
    try (GssTsigContext other = context(KerberosKdc.OTHER)) {
      assertThatThrownBy(() -> new DnsUpdateClient(other).addTxt(ZONE, GRANTED, token(), 60))
          .isInstanceOfSatisfying(
              DnsUpdateException.class,
              e -> assertThat(e.reason()).isEqualTo(FailureReason.UpdateRefused))
          .hasMessageContaining("principal 'other@EXAMPLE.TEST'");
    }
  }

  @Test
  void concurrentUpdatesShareOneContextAndTheLimitedConnections() throws Exception {
    DnsUpdateClient client = new DnsUpdateClient(context);
    int n = 12;
    List<String> values = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      values.add(token());
    }
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      List<Future<UpdateResult>> adds = new ArrayList<>();
      for (String v : values) {
        adds.add(threads.submit(() -> client.addTxt(ZONE, GRANTED, v, 60)));
      }
      for (Future<UpdateResult> f : adds) {
        assertThat(f.get(60, TimeUnit.SECONDS).changes()).isEqualTo(1);
      }
      assertThat(served()).containsAll(values);
      List<Future<UpdateResult>> deletes = new ArrayList<>();
      for (String v : values) {
        deletes.add(threads.submit(() -> client.deleteTxt(ZONE, GRANTED, v)));
      }
      for (Future<UpdateResult> f : deletes) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      threads.shutdownNow();
    }
    assertThat(served()).doesNotContainAnyElementsOf(values);
    assertThat(context.negotiations()).isEqualTo(1);
    assertThat(pool.connectionsOpened()).isBetween(1, ConnectionPool.MAX_PER_SERVER);
  }

  @Test
  void aContextTheServerForgotIsRenegotiatedOnce() throws Exception {
    DnsUpdateClient client = new DnsUpdateClient(context);
    String first = token();
    client.addTxt(ZONE, GRANTED, first, 60);
    assertThat(context.negotiations()).isEqualTo(1);

    // Behind the client's back: TKEY delete (mode 5) of its context. (A restart does not do it:
    // named 9.18 dumps its negotiated keys at shutdown and restores them.)
    forgetOnServer(context.session());

    String second = token();
    assertThat(client.addTxt(ZONE, GRANTED, second, 60).changes()).isEqualTo(1);
    assertThat(served()).contains(first, second);
    assertThat(context.negotiations()).isEqualTo(2);
    client.deleteTxt(ZONE, GRANTED, first);
    client.deleteTxt(ZONE, GRANTED, second);
    assertThat(context.negotiations()).isEqualTo(2);
  }

  private static void forgetOnServer(GssTsigSession session) throws Exception {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Message delete = new Message();
    delete.addRecord(Record.newRecord(session.keyName(), Type.TKEY, DClass.ANY), Section.QUESTION);
    delete.addRecord(
        new TKEYRecord(
            session.keyName(),
            DClass.ANY,
            0,
            GssTsigSession.GSS_TSIG,
            now,
            now,
            TKEYRecord.DELETE,
            Rcode.NOERROR,
            new byte[0],
            null),
        Section.ADDITIONAL);
    assertThat(session.send(delete).getRcode()).isEqualTo(Rcode.NOERROR);
    assertThatThrownBy(
            () -> session.send(Message.newQuery(Record.newRecord(ZONE, Type.SOA, DClass.IN))))
        .hasMessageContaining("BADKEY");
  }

  @Test
  void aContextWithinTheMarginOfItsExpiryIsReplacedBeforeUse() throws Exception {
    // A margin longer than any ticket: every context is "about to expire" as soon as it exists.
    try (GssTsigContext expiring = context(KerberosKdc.ACME, Duration.ofDays(3650))) {
      DnsUpdateClient client = new DnsUpdateClient(expiring);
      client.probe(ZONE);
      client.probe(ZONE);
      assertThat(expiring.negotiations()).isEqualTo(2);
    }
  }

  @Test
  void probeAndProbeLimitWork() throws Exception {
    DnsUpdateClient client = new DnsUpdateClient(context);
    client.probe(ZONE);
    assertThat(client.probeLimit(ZONE)).isEqualTo(DnsUpdateClient.Limit.REFUSED);
    assertThat(context.negotiations()).isEqualTo(1);
  }

  @Test
  void signedQueriesFindTheZone() throws Exception {
    assertThat(new ZoneFinder(new DnsQuery(context)).findZone(GRANTED)).isEqualTo(ZONE);
    assertThat(context.negotiations()).isEqualTo(1);
  }

  @Test
  void closingTheContextDeletesItOnTheServer() throws Exception {
    new DnsUpdateClient(context).probe(ZONE);
    assertThat(context.deletedOnServer()).isFalse();
    context.close();
    // the server confirmed the TKEY delete in an answer signed with the context
    assertThat(context.deletedOnServer()).isTrue();
  }

  @Test
  void aClosedContextSignsNothingMore() {
    DnsUpdateClient client = new DnsUpdateClient(context);
    context.close();
    assertThatThrownBy(() -> client.probe(ZONE)).isInstanceOf(IllegalStateException.class);
  }
}
