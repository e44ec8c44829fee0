package io.dnsupdate.dns;

import static io.dnsupdate.dns.EngineFixture.CHALLENGE;
import static io.dnsupdate.dns.EngineFixture.ZONE;
import static io.dnsupdate.dns.EngineFixture.client;
import static io.dnsupdate.dns.EngineFixture.name;
import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.testkit.NamedExtension;
import io.dnsupdate.testkit.NamedServer;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;
import org.xbill.DNS.Update;

/**
 * Figures, not assertions on time: run with {@code mvn -pl core -am verify -Pbench}. Latency of one
 * add+delete, of one add on a pooled connection and on a connection per message, of 8 threads
 * pipelined on 2 connections, and the time to add 1,000 distinct TXT values against a real named,
 * beside {@code nsupdate} doing the same work in one process. Results go to stdout and {@code
 * core/target/bench-results.txt}.
 */
@ExtendWith(NamedExtension.class)
class UpdateBenchmark {
  private static final int WARMUP = 200;
  private static final int ROUNDS = 500;
  private static final int VALUES = 1000;
  private static final String BENCH = "_bench._acme-challenge.example.test.";

  private final StringBuilder report = new StringBuilder();

  @Test
  void measure(NamedServer named) throws Exception {
    DnsUpdateClient client = client(named, TestKeys.ACME);
    line("named %s, TSIG hmac-sha256 over TCP on 127.0.0.1", named.address());

    addDeleteLatency(client);
    double[] addMs = addLatency(client, named);
    pipelined(client.endpoint());
    double sequentialMs = thousandValues(client, named);
    double nsupdateMs = nsupdate(named);
    // nsupdate's figure is a mean (one process, 1,000 messages): compare means with it too
    line(
        "vs nsupdate's %.2f ms per UPDATE: engine add p50 pooled %.2fx, with a connection per"
            + " message %.2fx, UPDATE alone pooled %.2fx; engine add mean (1,000 sequential) %.2fx",
        nsupdateMs,
        addMs[0] / nsupdateMs,
        addMs[1] / nsupdateMs,
        addMs[2] / nsupdateMs,
        sequentialMs / nsupdateMs);

    Path out = Path.of("target", "bench-results.txt");
    Files.writeString(out, report, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
  }

  private void addDeleteLatency(DnsUpdateClient client) throws Exception {
    for (int i = 0; i < WARMUP; i++) {
      client.addTxt(ZONE, CHALLENGE, "warmup-" + i, 60);
      client.deleteTxt(ZONE, CHALLENGE, "warmup-" + i);
    }
    long[] micros = new long[ROUNDS];
    for (int i = 0; i < ROUNDS; i++) {
      long t0 = System.nanoTime();
      client.addTxt(ZONE, CHALLENGE, "round-" + i, 60);
      client.deleteTxt(ZONE, CHALLENGE, "round-" + i);
      micros[i] = (System.nanoTime() - t0) / 1000;
    }
    Arrays.sort(micros);
    line(
        "engine add+delete (2 UPDATEs), %d rounds: median %.2f ms, p95 %.2f ms, p99 %.2f ms",
        ROUNDS,
        micros[ROUNDS / 2] / 1000.0,
        micros[ROUNDS * 95 / 100] / 1000.0,
        micros[ROUNDS * 99 / 100] / 1000.0);
  }

  /**
   * One add (UPDATE + signed read-back query) at a time, through the shared pool of persistent
   * connections, beside the same two messages each on a new connection (what every add cost before
   * the pool) and the UPDATE alone (what nsupdate sends).
   *
   * @return the three medians in ms: pooled add, add with a connection per message, UPDATE alone
   */
  private double[] addLatency(DnsUpdateClient client, NamedServer named) throws Exception {
    ServerEndpoint endpoint = client.endpoint();
    TsigCredentials key = EngineFixture.credentials(TestKeys.ACME);
    List<TxtChange> deletes = new ArrayList<>();
    long[] pooled = new long[ROUNDS];
    long[] perMessage = new long[ROUNDS];
    long[] updateOnly = new long[ROUNDS];
    for (int i = -WARMUP; i < ROUNDS; i++) {
      String value = "add-" + (i + WARMUP);
      Name a = name("a" + (i + WARMUP) + "." + BENCH);
      Name b = name("b" + (i + WARMUP) + "." + BENCH);
      Name c = name("c" + (i + WARMUP) + "." + BENCH);
      deletes.addAll(
          List.of(
              TxtChange.delete(a, value), TxtChange.delete(b, value), TxtChange.delete(c, value)));

      long t0 = System.nanoTime();
      client.addTxt(ZONE, a, value, 60);
      long t1 = System.nanoTime();
      try (ConnectionPool once = new ConnectionPool(1, 1, Duration.ofSeconds(10))) {
        update(new DnsExchange(endpoint, Clock.systemUTC(), once), key, b, value);
      }
      try (ConnectionPool once = new ConnectionPool(1, 1, Duration.ofSeconds(10))) {
        new DnsExchange(endpoint, Clock.systemUTC(), once)
            .send(txtQuery(b), key.signer(Clock.systemUTC()), key.keyName().toString(), "read");
      }
      long t2 = System.nanoTime();
      update(new DnsExchange(endpoint, Clock.systemUTC()), key, c, value);
      long t3 = System.nanoTime();
      if (i >= 0) {
        pooled[i] = (t1 - t0) / 1000;
        perMessage[i] = (t2 - t1) / 1000;
        updateOnly[i] = (t3 - t2) / 1000;
      }
      if (deletes.size() >= 300) {
        client.apply(ZONE, deletes);
        deletes.clear();
      }
    }
    client.apply(ZONE, deletes);
    assertThat(named.txt("a0." + BENCH)).isEmpty();
    double[] medians = {
      percentile(pooled, "engine add (UPDATE + read-back), pooled connection"),
      percentile(perMessage, "engine add, a new connection per message (before the pool)"),
      percentile(updateOnly, "UPDATE alone, pooled connection")
    };
    return medians;
  }

  /**
   * 8 threads sending UPDATEs of new names at once: pipelined on the pool's 2 connections beside
   * one connection per thread, with the wall time of all of them.
   */
  private void pipelined(ServerEndpoint endpoint) throws Exception {
    TsigCredentials key = EngineFixture.credentials(TestKeys.ACME);
    for (int connections : new int[] {ConnectionPool.MAX_PER_SERVER, 8}) {
      try (ConnectionPool pool = new ConnectionPool(connections, 16, Duration.ofSeconds(10))) {
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
          List<Future<Long>> rounds = new ArrayList<>();
          long start = System.nanoTime();
          for (int i = 0; i < ROUNDS * 2; i++) {
            Name owner = name("p" + connections + "-" + i + "." + BENCH);
            rounds.add(
                threads.submit(
                    () -> {
                      long t0 = System.nanoTime();
                      update(new DnsExchange(endpoint, Clock.systemUTC(), pool), key, owner, "v");
                      return (System.nanoTime() - t0) / 1000;
                    }));
          }
          long[] micros = new long[rounds.size()];
          for (int i = 0; i < micros.length; i++) {
            micros[i] = rounds.get(i).get();
          }
          long wallMs = (System.nanoTime() - start) / 1_000_000;
          percentile(
              micros,
              String.format(
                  Locale.ROOT,
                  "UPDATE, 8 threads on %d connection(s), %d ms",
                  connections,
                  wallMs));
        } finally {
          threads.shutdown();
        }
      }
    }
  }

  private static void update(DnsExchange exchange, TsigCredentials key, Name owner, String value)
      throws DnsUpdateException {
    Update update = new Update(ZONE);
    update.add(new TXTRecord(owner, DClass.IN, 60, value));
    int rcode =
        exchange
            .send(update, key.signer(Clock.systemUTC()), key.keyName().toString(), "bench")
            .message()
            .getRcode();
    assertThat(rcode).isEqualTo(Rcode.NOERROR);
  }

  private static Message txtQuery(Name owner) {
    Message query = Message.newQuery(Record.newRecord(owner, Type.TXT, DClass.IN));
    query.getHeader().unsetFlag(Flags.RD);
    return query;
  }

  /** Prints p50/p95/p99 of {@code micros} and returns the p50 in ms. */
  private double percentile(long[] micros, String what) {
    Arrays.sort(micros);
    line(
        "%-60s %d rounds: p50 %.2f ms, p95 %.2f ms, p99 %.2f ms",
        what,
        micros.length,
        micros[micros.length / 2] / 1000.0,
        micros[micros.length * 95 / 100] / 1000.0,
        micros[micros.length * 99 / 100] / 1000.0);
    return micros[micros.length / 2] / 1000.0;
  }

  /**
   * @return the engine's mean time per value in ms, one add (UPDATE + read-back) at a time
   */
  private double thousandValues(DnsUpdateClient client, NamedServer named) throws Exception {
    List<TxtChange> adds = new ArrayList<>();
    List<TxtChange> deletes = new ArrayList<>();
    for (int i = 0; i < VALUES; i++) {
      Name owner = name("n" + i + "." + BENCH);
      adds.add(TxtChange.add(owner, "value-" + i, 60));
      deletes.add(TxtChange.delete(owner, "value-" + i));
    }

    long t0 = System.nanoTime();
    for (TxtChange add : adds) {
      client.apply(ZONE, List.of(add));
    }
    double sequentialMs = (System.nanoTime() - t0) / 1e6 / VALUES;
    report("engine, 1 UPDATE per value, sequential", t0);
    assertThat(named.txt("n999." + BENCH)).containsExactly("value-999");
    client.apply(ZONE, deletes);

    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      t0 = System.nanoTime();
      List<Future<UpdateResult>> futures = new ArrayList<>();
      for (TxtChange add : adds) {
        futures.add(pool.submit(() -> client.apply(ZONE, List.of(add))));
      }
      for (Future<UpdateResult> f : futures) {
        f.get();
      }
      report("engine, 1 UPDATE per value, 8 threads", t0);
    } finally {
      pool.shutdown();
    }
    client.apply(ZONE, deletes);

    t0 = System.nanoTime();
    client.apply(ZONE, adds);
    report("engine, all values in 1 UPDATE", t0);
    assertThat(named.txt("n999." + BENCH)).containsExactly("value-999");
    client.apply(ZONE, deletes);
    return sequentialMs;
  }

  /**
   * @return nsupdate's time per UPDATE in ms, one process sending one message per value
   */
  private double nsupdate(NamedServer named) throws Exception {
    // NamedServer.nsupdate adds the "server" line and a final "send"
    StringBuilder each = new StringBuilder("zone " + ZONE + "\n");
    StringBuilder batch = new StringBuilder("zone " + ZONE + "\n");
    StringBuilder cleanup = new StringBuilder("zone " + ZONE + "\n");
    for (int i = 0; i < VALUES; i++) {
      String add = "update add n" + i + "." + BENCH + " 60 TXT value-" + i + "\n";
      each.append(add).append("send\n");
      batch.append(add);
      cleanup.append("update delete n").append(i).append('.').append(BENCH).append(" TXT\n");
    }

    long t0 = System.nanoTime();
    assertThat(named.nsupdate(TestKeys.ACME, each.toString().split("\n")).ok()).isTrue();
    double perUpdateMs = (System.nanoTime() - t0) / 1e6 / VALUES;
    report("nsupdate -v, 1 UPDATE per value, one process", t0);
    assertThat(named.txt("n999." + BENCH)).containsExactly("value-999");
    named.nsupdate(TestKeys.ACME, cleanup.toString().split("\n"));

    t0 = System.nanoTime();
    assertThat(named.nsupdate(TestKeys.ACME, batch.toString().split("\n")).ok()).isTrue();
    report("nsupdate -v, all values in 1 UPDATE", t0);
    named.nsupdate(TestKeys.ACME, cleanup.toString().split("\n"));
    return perUpdateMs;
  }

  private void report(String what, long startNanos) {
    Duration d = Duration.ofNanos(System.nanoTime() - startNanos);
    line(
        "%-48s %d values: %7.1f ms (%.3f ms per value)",
        what, VALUES, d.toNanos() / 1e6, d.toNanos() / 1e6 / VALUES);
  }

  private void line(String format, Object... args) {
    String s = String.format(Locale.ROOT, format, args);
    System.out.println("[bench] " + s);
    report.append(s).append('\n');
  }
}
