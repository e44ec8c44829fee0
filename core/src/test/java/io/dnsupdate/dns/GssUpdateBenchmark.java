package io.dnsupdate.dns;

import static io.dnsupdate.dns.EngineFixture.ZONE;
import static io.dnsupdate.dns.EngineFixture.name;
import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.dns.gss.GssTsigException;
import io.dnsupdate.dns.gss.KerberosCredentials;
import io.dnsupdate.dns.gss.KerberosIdentity;
import io.dnsupdate.testkit.CommandResult;
import io.dnsupdate.testkit.Commands;
import io.dnsupdate.testkit.KerberosKdc;
import io.dnsupdate.testkit.NamedServer;
import io.dnsupdate.testkit.StandardZones;
import io.dnsupdate.testkit.TestKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Update;

/**
 * Figures, not assertions on time: run with {@code mvn -pl core -am verify -Pbench}. GSS-TSIG
 * (Kerberos, RFC 3645) beside HMAC-TSIG (hmac-sha256) against one real named and one real MIT KDC
 * in the same run: keytab login, TKEY context negotiation, per-add and per-UPDATE latency through
 * {@link DnsUpdateClient} on the shared {@link ConnectionPool}, and {@code nsupdate -g} beside
 * {@code nsupdate -y}. Results go to stdout and {@code core/target/gss-bench-results.txt}.
 */
class GssUpdateBenchmark {
  private static final String SERVER_NAME = "ns1.example.test";
  private static final String BENCH = StandardZones.BENCH_SUBDOMAIN;
  private static final int LOGINS = 20;
  private static final int NEGOTIATIONS = 30;
  private static final int WARMUP = 50;
  private static final int ROUNDS = 300;
  private static final int PROCESSES = 10;
  private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(60);

  private final StringBuilder report = new StringBuilder();

  @Test
  void measure() throws Exception {
    try (KerberosKdc kdc = KerberosKdc.startStandard();
        NamedServer named = gssNamed(kdc)) {
      line(
          "named %s, KDC %s; GSS-TSIG principal %s vs HMAC-TSIG key %s (%s), TCP on the shared"
              + " pool",
          named.address(),
          kdc.kdcAddress(),
          kdc.principal(KerberosKdc.ACME),
          TestKeys.ACME.name(),
          TestKeys.ACME.algorithm());
      Stats login = logins(kdc);
      ServerEndpoint endpoint = EngineFixture.endpoint(named, Transport.TCP);
      KerberosIdentity identity = login(kdc);
      Stats negotiation = negotiations(kdc, identity, endpoint);

      try (GssTsigContext context =
          new GssTsigContext(
              identity,
              endpoint,
              SERVER_NAME,
              null,
              null,
              Clock.systemUTC(),
              GssTsigContext.DEFAULT_MARGIN,
              ConnectionPool.shared())) {
        DnsUpdateClient gss = new DnsUpdateClient(context);
        DnsUpdateClient hmac = EngineFixture.client(named, TestKeys.ACME);
        Stats[] adds = adds(gss, hmac, named);
        Stats[] updates = updatesAlone(context, endpoint);
        assertThat(context.negotiations()).as("one context for every add").isEqualTo(1);

        line(
            "ratios GSS/HMAC: add p50 %.2fx, add p99 %.2fx; UPDATE alone p50 %.2fx, p99 %.2fx",
            adds[0].p50 / adds[1].p50,
            adds[0].p99 / adds[1].p99,
            updates[0].p50 / updates[1].p50,
            updates[0].p99 / updates[1].p99);
        line(
            "context set-up in HMAC adds (p50): login %.1f, TKEY negotiation %.1f, both %.1f;"
                + " one context per %d adds costs %.2f%% more per add",
            login.p50 / adds[1].p50,
            negotiation.p50 / adds[1].p50,
            (login.p50 + negotiation.p50) / adds[1].p50,
            ROUNDS,
            100 * (login.p50 + negotiation.p50) / ROUNDS / adds[0].p50);
        nsupdate(kdc, named, updates[0]);
      }
    }
    Path out = Path.of("target", "gss-bench-results.txt");
    Files.writeString(out, report, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
  }

  /**
   * The standard GSS primary with one more grant: the principal may put TXT anywhere below the
   * bench subdomain, as the HMAC key may, so both sides add at new names of the same shape.
   */
  private static NamedServer gssNamed(KerberosKdc kdc) {
    List<String> grants = new ArrayList<>(StandardZones.exampleGrants());
    grants.add(StandardZones.gssGrant(kdc));
    grants.add("grant " + kdc.principal(KerberosKdc.ACME) + " subdomain " + BENCH + " TXT;");
    // replaces the builder's example.test (same records) with these grants
    return StandardZones.gssPrimaryBuilder(kdc)
        .primaryZone(StandardZones.EXAMPLE, StandardZones.exampleRecords(), grants)
        .start();
  }

  private static KerberosIdentity login(KerberosKdc kdc) throws GssTsigException {
    return KerberosIdentity.login(
        new KerberosCredentials(
            kdc.principal(KerberosKdc.ACME),
            kdc.keytab(KerberosKdc.ACME),
            List.of(kdc.kdcAddress())));
  }

  /** Keytab logins (AS exchange for a TGT): from a file, and from bytes as the operator does. */
  private Stats logins(KerberosKdc kdc) throws Exception {
    long t0 = System.nanoTime();
    login(kdc);
    line("login from keytab file, first in the JVM: %.2f ms", (System.nanoTime() - t0) / 1e6);
    long[] file = new long[LOGINS];
    long[] bytes = new long[LOGINS];
    byte[] keytab = kdc.keytabBytes(KerberosKdc.ACME);
    for (int i = 0; i < LOGINS; i++) {
      long a = System.nanoTime();
      login(kdc);
      long b = System.nanoTime();
      KerberosIdentity.login(kdc.principal(KerberosKdc.ACME), List.of(kdc.kdcAddress()), keytab);
      long c = System.nanoTime();
      file[i] = (b - a) / 1000;
      bytes[i] = (c - b) / 1000;
    }
    Stats fromFile = stats(file, "(a) login from keytab file (TGT)");
    stats(bytes, "(a) login from keytab bytes (temp file)");
    return fromFile;
  }

  /**
   * TKEY negotiations over the shared pool, each a new {@link GssTsigContext} whose first use
   * negotiates: the first with a fresh identity (its service ticket comes from the KDC), then more
   * with one identity, then login + negotiation from nothing (a Secret that changed). Each context
   * is deleted on the server (TKEY mode 5) after, and that is timed too.
   */
  private Stats negotiations(KerberosKdc kdc, KerberosIdentity identity, ServerEndpoint endpoint)
      throws Exception {
    long t0 = System.nanoTime();
    try (GssTsigContext first = context(identity, endpoint)) {
      first.session();
    }
    line(
        "TKEY negotiation, first of this identity (+ service ticket): %.2f ms",
        (System.nanoTime() - t0) / 1e6);
    long[] negotiate = new long[NEGOTIATIONS];
    long[] delete = new long[NEGOTIATIONS];
    long[] fromNothing = new long[NEGOTIATIONS];
    for (int i = 0; i < NEGOTIATIONS; i++) {
      GssTsigContext context = context(identity, endpoint);
      long a = System.nanoTime();
      context.session();
      long b = System.nanoTime();
      context.close();
      long c = System.nanoTime();
      assertThat(context.deletedOnServer()).isTrue();
      try (GssTsigContext fresh = context(login(kdc), endpoint)) {
        fresh.session();
        fromNothing[i] = (System.nanoTime() - c) / 1000;
      }
      negotiate[i] = (b - a) / 1000;
      delete[i] = (c - b) / 1000;
    }
    Stats stats = stats(negotiate, "(b) TKEY negotiation, same identity, pooled");
    stats(delete, "    TKEY delete (mode 5) of a context");
    stats(fromNothing, "    login + TKEY negotiation (new identity)");
    return stats;
  }

  private static GssTsigContext context(KerberosIdentity identity, ServerEndpoint endpoint) {
    return new GssTsigContext(
        identity,
        endpoint,
        SERVER_NAME,
        null,
        null,
        Clock.systemUTC(),
        GssTsigContext.DEFAULT_MARGIN,
        ConnectionPool.shared());
  }

  /**
   * Sequential adds (SOA read, UPDATE, TXT and SOA read-back) at new names, GSS and HMAC taking
   * turns (the first of each pair alternating) so that load on the machine falls on both alike.
   *
   * @return GSS, HMAC
   */
  private Stats[] adds(DnsUpdateClient gss, DnsUpdateClient hmac, NamedServer named)
      throws Exception {
    long[] gssMicros = new long[ROUNDS];
    long[] hmacMicros = new long[ROUNDS];
    List<TxtChange> gssDeletes = new ArrayList<>();
    List<TxtChange> hmacDeletes = new ArrayList<>();
    for (int i = -WARMUP; i < ROUNDS; i++) {
      int n = i + WARMUP;
      Name g = name("g" + n + "." + BENCH);
      Name h = name("h" + n + "." + BENCH);
      long gssTime;
      long hmacTime;
      if ((i & 1) == 0) {
        gssTime = timeAdd(gss, g, "gss-" + n);
        hmacTime = timeAdd(hmac, h, "hmac-" + n);
      } else {
        hmacTime = timeAdd(hmac, h, "hmac-" + n);
        gssTime = timeAdd(gss, g, "gss-" + n);
      }
      if (i >= 0) {
        gssMicros[i] = gssTime;
        hmacMicros[i] = hmacTime;
      }
      gssDeletes.add(TxtChange.delete(g, "gss-" + n));
      hmacDeletes.add(TxtChange.delete(h, "hmac-" + n));
      if (gssDeletes.size() >= 100) {
        // untimed: keeps the zone the same size throughout
        gss.apply(ZONE, gssDeletes);
        hmac.apply(ZONE, hmacDeletes);
        gssDeletes.clear();
        hmacDeletes.clear();
      }
    }
    gss.apply(ZONE, gssDeletes);
    hmac.apply(ZONE, hmacDeletes);
    assertThat(named.txt("g0." + BENCH)).isEmpty();
    return new Stats[] {
      stats(gssMicros, "(c) GSS-TSIG add (UPDATE + reads), DnsUpdateClient"),
      stats(hmacMicros, "(c) HMAC-TSIG add (UPDATE + reads), DnsUpdateClient")
    };
  }

  private static long timeAdd(DnsUpdateClient client, Name owner, String value)
      throws DnsUpdateException {
    long t0 = System.nanoTime();
    assertThat(client.addTxt(ZONE, owner, value, 60).changes()).isEqualTo(1);
    return (System.nanoTime() - t0) / 1000;
  }

  /**
   * The UPDATE message alone (what nsupdate sends), through the same exchange and pool, taking
   * turns as above; the names are left for the named to be thrown away.
   *
   * @return GSS, HMAC
   */
  private Stats[] updatesAlone(GssTsigContext context, ServerEndpoint endpoint) throws Exception {
    DnsExchange exchange = new DnsExchange(endpoint, Clock.systemUTC(), ConnectionPool.shared());
    RequestSigner hmac = new RequestSigner.Hmac(EngineFixture.credentials(TestKeys.ACME));
    long[] gssMicros = new long[ROUNDS];
    long[] hmacMicros = new long[ROUNDS];
    for (int i = -WARMUP; i < ROUNDS; i++) {
      int n = i + WARMUP;
      long gssTime;
      long hmacTime;
      if ((i & 1) == 0) {
        gssTime = timeUpdate(exchange, context, name("ug" + n + "." + BENCH));
        hmacTime = timeUpdate(exchange, hmac, name("uh" + n + "." + BENCH));
      } else {
        hmacTime = timeUpdate(exchange, hmac, name("uh" + n + "." + BENCH));
        gssTime = timeUpdate(exchange, context, name("ug" + n + "." + BENCH));
      }
      if (i >= 0) {
        gssMicros[i] = gssTime;
        hmacMicros[i] = hmacTime;
      }
    }
    return new Stats[] {
      stats(gssMicros, "(c) GSS-TSIG UPDATE alone, pooled"),
      stats(hmacMicros, "(c) HMAC-TSIG UPDATE alone, pooled")
    };
  }

  private static long timeUpdate(DnsExchange exchange, RequestSigner signer, Name owner)
      throws DnsUpdateException {
    Update update = new Update(ZONE);
    update.add(new TXTRecord(owner, DClass.IN, 60, "v"));
    long t0 = System.nanoTime();
    int rcode = exchange.send(update, signer, "bench").message().getRcode();
    long micros = (System.nanoTime() - t0) / 1000;
    assertThat(rcode).isEqualTo(Rcode.NOERROR);
    return micros;
  }

  /**
   * The reference client: {@code kinit}, then {@code nsupdate -g} (its own TKEY negotiation and one
   * UPDATE per process, and many UPDATEs in one process) beside {@code nsupdate -y}.
   */
  private void nsupdate(KerberosKdc kdc, NamedServer named, Stats engineGssUpdate) {
    long[] kinit = new long[PROCESSES];
    Map<String, String> env = null;
    for (int i = 0; i < PROCESSES; i++) {
      long t0 = System.nanoTime();
      env = kdc.kinit(KerberosKdc.ACME);
      kinit[i] = (System.nanoTime() - t0) / 1000;
    }
    stats(kinit, "(d) kinit -k -t keytab (a process)");

    long[] gss = new long[PROCESSES];
    long[] hmac = new long[PROCESSES];
    for (int i = 0; i < PROCESSES; i++) {
      long t0 = System.nanoTime();
      nsupdateGss(named, env, "update add ng" + i + "." + BENCH + " 60 TXT v\nsend\n");
      long t1 = System.nanoTime();
      nsupdateHmac(named, "update add nh" + i + "." + BENCH + " 60 TXT v");
      long t2 = System.nanoTime();
      gss[i] = (t1 - t0) / 1000;
      hmac[i] = (t2 - t1) / 1000;
    }
    Stats gssOne = stats(gss, "(d) nsupdate -g, TKEY + 1 UPDATE (a process)");
    Stats hmacOne = stats(hmac, "(d) nsupdate -y, 1 UPDATE (a process)");

    StringBuilder gssMany = new StringBuilder();
    StringBuilder hmacMany = new StringBuilder();
    for (int i = 0; i < ROUNDS; i++) {
      gssMany.append("update add mg").append(i).append('.').append(BENCH).append(" 60 TXT v\n");
      gssMany.append("send\n");
      hmacMany.append("update add mh").append(i).append('.').append(BENCH).append(" 60 TXT v\n");
      hmacMany.append("send\n");
    }
    long t0 = System.nanoTime();
    nsupdateGss(named, env, gssMany.toString());
    double gssMean = (System.nanoTime() - t0) / 1e6 / ROUNDS;
    t0 = System.nanoTime();
    // NamedServer.nsupdate sends once more at the end: an empty UPDATE, one more round trip
    nsupdateHmac(named, hmacMany.toString().split("\n"));
    double hmacMean = (System.nanoTime() - t0) / 1e6 / ROUNDS;
    assertThat(named.txt("mg" + (ROUNDS - 1) + "." + BENCH)).containsExactly("v");
    line(
        "(d) nsupdate, %d UPDATEs in one process: -g %.3f ms per UPDATE, -y %.3f ms per UPDATE",
        ROUNDS, gssMean, hmacMean);
    // untimed: does nsupdate -g keep its context from one send to the next? Its debug output
    // names start_gssrequest for every negotiation: compare 1 send with 3.
    line(
        "(d) nsupdate -g -d, lines naming start_gssrequest: %d for 1 UPDATE, %d for 3 UPDATEs in"
            + " one process",
        gssRequests(named, env, 1), gssRequests(named, env, 3));
    line(
        "ratios nsupdate -g/-y: one UPDATE per process p50 %.2fx, %d in one process %.2fx;"
            + " engine GSS UPDATE alone p50 / nsupdate -g per UPDATE (one process) %.2fx",
        gssOne.p50 / hmacOne.p50, ROUNDS, gssMean / hmacMean, engineGssUpdate.p50 / gssMean);
  }

  private static long gssRequests(NamedServer named, Map<String, String> env, int sends) {
    StringBuilder script = new StringBuilder();
    for (int i = 0; i < sends; i++) {
      script.append("update add d").append(sends).append('-').append(i).append('.').append(BENCH);
      script.append(" 60 TXT v\nsend\n");
    }
    return nsupdateGss(named, env, script.toString(), "-d")
        .lines()
        .filter(l -> l.contains("start_gssrequest"))
        .count();
  }

  /**
   * @return nsupdate's output
   */
  private static String nsupdateGss(
      NamedServer named, Map<String, String> env, String commands, String... flags) {
    String script =
        "server "
            + named.address()
            + " "
            + named.port()
            + "\nzone "
            + StandardZones.EXAMPLE
            + "\n"
            + commands;
    List<String> command = new ArrayList<>(List.of("nsupdate", "-v", "-t", "10", "-g"));
    command.addAll(List.of(flags));
    CommandResult r = Commands.run(command, env, script, TOOL_TIMEOUT);
    assertThat(r.ok()).as(r.output()).isTrue();
    return r.output();
  }

  private static void nsupdateHmac(NamedServer named, String... commands) {
    List<String> lines = new ArrayList<>();
    lines.add("zone " + StandardZones.EXAMPLE);
    lines.addAll(List.of(commands));
    CommandResult r = named.nsupdate(TestKeys.ACME, lines.toArray(String[]::new));
    assertThat(r.ok()).as(r.output()).isTrue();
  }

  private record Stats(double p50, double p95, double p99) {}

  /** Prints p50/p95/p99 of {@code micros} and returns them in ms. */
  private Stats stats(long[] micros, String what) {
    long[] sorted = micros.clone();
    Arrays.sort(sorted);
    Stats s =
        new Stats(
            sorted[sorted.length / 2] / 1000.0,
            sorted[sorted.length * 95 / 100] / 1000.0,
            sorted[sorted.length * 99 / 100] / 1000.0);
    line(
        "%-54s %3d rounds: p50 %7.2f ms, p95 %7.2f ms, p99 %7.2f ms",
        what, sorted.length, s.p50, s.p95, s.p99);
    return s;
  }

  private void line(String format, Object... args) {
    String s = String.format(Locale.ROOT, format, args);
    System.out.println("[bench] " + s);
    report.append(s).append('\n');
  }
}
