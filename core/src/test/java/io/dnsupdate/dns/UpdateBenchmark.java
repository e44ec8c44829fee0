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
import java.util.function.ToDoubleFunction;
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
 * Figures, not assertions on time: run with {@code mvn -pl core -am verify -Pbench}. The goal of
 * the engine is one add (UPDATE, read-back and SOA serials) in about the time {@code nsupdate}
 * takes for one UPDATE, so both are measured side by side in one run, {@value #RUNS} times, and the
 * ratios printed as median and spread: p50 against p50 (engine add, engine UPDATE alone and one
 * UPDATE of a long-running nsupdate, in turn), and the mean of 1,000 sequential adds against the
 * mean of 1,000 sequential sends of one nsupdate process. Also: add+delete, a connection per
 * message, 8 threads pipelined on 2 connections, 1,000 values in one message. Results go to stdout
 * and {@code core/target/bench-results.txt}.
 */
@ExtendWith(NamedExtension.class)
class UpdateBenchmark {
  private static final int WARMUP = 200;
  private static final int ROUNDS = 500;
  private static final int VALUES = 1000;
  private static final int RUNS = 3;
  private static final int CHUNK = 100;
  private static final String BENCH = "_bench._acme-challenge.example.test.";

  private final StringBuilder report = new StringBuilder();

  @Test
  void measure(NamedServer named) throws Exception {
    DnsUpdateClient client = client(named, TestKeys.ACME);
    line("named %s, TSIG hmac-sha256 over TCP on 127.0.0.1", named.address());

    addDeleteLatency(client);
    connectionPerMessage(client);
    List<double[]> p50s = new ArrayList<>();
    List<double[]> means = new ArrayList<>();
    for (int run = 1; run <= RUNS; run++) {
      p50s.add(sideBySide(client, named, run));
      means.add(sequentialMeans(client, named, run));
    }
    pipelined(client.endpoint());
    batches(client, named);

    line("");
    line("median of %d runs [min-max], each run measured side by side in this JVM:", RUNS);
    line(
        "p50 per message: engine add %s, UPDATE alone %s, nsupdate %s (ms)",
        spread(p50s, r -> r[0]), spread(p50s, r -> r[1]), spread(p50s, r -> r[2]));
    line(
        "=> engine add / nsupdate %s, UPDATE alone / nsupdate %s (p50 against p50)",
        spread(p50s, r -> r[0] / r[2]), spread(p50s, r -> r[1] / r[2]));
    line(
        "mean of %d sequential messages: engine add %s, nsupdate %s (ms) => engine add / nsupdate"
            + " %s",
        VALUES,
        spread(means, r -> r[0]),
        spread(means, r -> r[1]),
        spread(means, r -> r[0] / r[1]));

    Path out = Path.of("target", "bench-results.txt");
    Files.writeString(out, report, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
  }

  /** "median [min-max]" of one figure over the runs. */
  private static String spread(List<double[]> runs, ToDoubleFunction<double[]> figure) {
    double[] v = runs.stream().mapToDouble(figure).sorted().toArray();
    return String.format(Locale.ROOT, "%.2f [%.2f-%.2f]", v[v.length / 2], v[0], v[v.length - 1]);
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
   * One engine add (UPDATE, read-back, SOA serials), one UPDATE alone through the engine's pool and
   * one UPDATE by a long-running {@code nsupdate} process, in turn, round after round: a change in
   * the machine's load hits all three alike. Each is timed from handing over the change to holding
   * the verified answer; nsupdate's time includes two hops through its pipes ({@link
   * NsupdateSession}), timed alone with a {@code show} after each message.
   *
   * @return the p50s in ms: engine add, UPDATE alone, nsupdate, nsupdate's pipe hops
   */
  private double[] sideBySide(DnsUpdateClient client, NamedServer named, int run) throws Exception {
    TsigCredentials key = EngineFixture.credentials(TestKeys.ACME);
    DnsExchange exchange = new DnsExchange(client.endpoint(), Clock.systemUTC());
    List<TxtChange> deletes = new ArrayList<>();
    long[] add = new long[ROUNDS];
    long[] updateOnly = new long[ROUNDS];
    long[] nsupdate = new long[ROUNDS];
    long[] pipes = new long[ROUNDS];
    try (NsupdateSession session = new NsupdateSession(named, TestKeys.ACME)) {
      for (int i = -WARMUP; i < ROUNDS; i++) {
        String label = "r" + run + "-" + (i + WARMUP);
        Name a = name("a" + label + "." + BENCH);
        Name u = name("u" + label + "." + BENCH);
        Name n = name("n" + label + "." + BENCH);
        deletes.addAll(
            List.of(
                TxtChange.delete(a, label),
                TxtChange.delete(u, label),
                TxtChange.delete(n, label)));

        long t0 = System.nanoTime();
        client.addTxt(ZONE, a, label, 60);
        long t1 = System.nanoTime();
        update(exchange, key, u, label);
        long t2 = System.nanoTime();
        String status = session.send(ZONE.toString(), "update add " + n + " 60 TXT " + label);
        long t3 = System.nanoTime();
        session.show();
        long t4 = System.nanoTime();
        assertThat(status).isEqualTo("NOERROR");
        if (i >= 0) {
          add[i] = (t1 - t0) / 1000;
          updateOnly[i] = (t2 - t1) / 1000;
          nsupdate[i] = (t3 - t2) / 1000;
          pipes[i] = (t4 - t3) / 1000;
        }
        if (deletes.size() >= 300) {
          client.apply(ZONE, deletes);
          deletes.clear();
        }
      }
    }
    client.apply(ZONE, deletes);
    assertThat(named.txt("nr" + run + "-0." + BENCH)).isEmpty();
    return new double[] {
      percentile(add, "run " + run + ": engine add (UPDATE + read-back + serials), pooled"),
      percentile(updateOnly, "run " + run + ": UPDATE alone, pooled connection"),
      percentile(nsupdate, "run " + run + ": nsupdate -v, one process, 1 UPDATE per send"),
      percentile(pipes, "run " + run + ": nsupdate show, no message (its pipe hops alone)")
    };
  }

  /** The UPDATE and the read-back each on a new connection: what every add cost before the pool. */
  private void connectionPerMessage(DnsUpdateClient client) throws Exception {
    ServerEndpoint endpoint = client.endpoint();
    TsigCredentials key = EngineFixture.credentials(TestKeys.ACME);
    List<TxtChange> deletes = new ArrayList<>();
    long[] micros = new long[ROUNDS];
    for (int i = -WARMUP; i < ROUNDS; i++) {
      String value = "c-" + (i + WARMUP);
      Name b = name("b" + (i + WARMUP) + "." + BENCH);
      deletes.add(TxtChange.delete(b, value));
      long t0 = System.nanoTime();
      try (ConnectionPool once = new ConnectionPool(1, 1, Duration.ofSeconds(10))) {
        update(new DnsExchange(endpoint, Clock.systemUTC(), once), key, b, value);
      }
      try (ConnectionPool once = new ConnectionPool(1, 1, Duration.ofSeconds(10))) {
        new DnsExchange(endpoint, Clock.systemUTC(), once)
            .send(txtQuery(b), key.signer(Clock.systemUTC()), key.keyName().toString(), "read");
      }
      if (i >= 0) {
        micros[i] = (System.nanoTime() - t0) / 1000;
      }
    }
    client.apply(ZONE, deletes);
    percentile(micros, "UPDATE + read-back, a new connection per message (no pool)");
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
   * 1,000 engine adds one at a time beside 1,000 sends of one nsupdate process, in turns of {@value
   * #CHUNK}: nsupdate gets each turn's script at once and reads ahead, so its figure holds no pipe
   * hop per message.
   *
   * @return the mean time per message in ms: engine add, nsupdate
   */
  private double[] sequentialMeans(DnsUpdateClient client, NamedServer named, int run)
      throws Exception {
    long engineNanos = 0;
    long nsupdateNanos = 0;
    List<TxtChange> deletes = new ArrayList<>();
    try (NsupdateSession session = new NsupdateSession(named, TestKeys.ACME)) {
      for (int from = 0; from < VALUES; from += CHUNK) {
        List<String> script = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = from; i < from + CHUNK; i++) {
          Name owner = name("e" + run + "-" + i + "." + BENCH);
          client.apply(ZONE, List.of(TxtChange.add(owner, "value-" + i, 60)));
          deletes.add(TxtChange.delete(owner, "value-" + i));
          script.add("zone " + ZONE);
          script.add("update add m" + run + "-" + i + "." + BENCH + " 60 TXT value-" + i);
          script.add("send");
        }
        long t1 = System.nanoTime();
        session.script(script);
        long t2 = System.nanoTime();
        engineNanos += t1 - t0;
        nsupdateNanos += t2 - t1;
        String last = "m" + run + "-" + (from + CHUNK - 1) + "." + BENCH;
        assertThat(named.txt(last)).containsExactly("value-" + (from + CHUNK - 1));
        for (int i = from; i < from + CHUNK; i++) {
          deletes.add(TxtChange.delete(name("m" + run + "-" + i + "." + BENCH), "value-" + i));
        }
        client.apply(ZONE, deletes);
        deletes.clear();
      }
    }
    double[] means = {engineNanos / 1e6 / VALUES, nsupdateNanos / 1e6 / VALUES};
    line(
        "run %d: %d messages one at a time, mean: engine add %.3f ms, nsupdate -v %.3f ms",
        run, VALUES, means[0], means[1]);
    return means;
  }

  /** 1,000 values from 8 threads and in one message, beside nsupdate's one message. */
  private void batches(DnsUpdateClient client, NamedServer named) throws Exception {
    List<TxtChange> adds = new ArrayList<>();
    List<TxtChange> deletes = new ArrayList<>();
    StringBuilder batch = new StringBuilder("zone " + ZONE + "\n");
    for (int i = 0; i < VALUES; i++) {
      Name owner = name("n" + i + "." + BENCH);
      adds.add(TxtChange.add(owner, "value-" + i, 60));
      deletes.add(TxtChange.delete(owner, "value-" + i));
      batch.append("update add n" + i + "." + BENCH + " 60 TXT value-" + i + "\n");
    }
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      long t0 = System.nanoTime();
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

    long t0 = System.nanoTime();
    client.apply(ZONE, adds);
    report("engine, all values in 1 UPDATE", t0);
    assertThat(named.txt("n999." + BENCH)).containsExactly("value-999");
    client.apply(ZONE, deletes);

    t0 = System.nanoTime();
    assertThat(named.nsupdate(TestKeys.ACME, batch.toString().split("\n")).ok()).isTrue();
    report("nsupdate -v, all values in 1 UPDATE", t0);
    named.nsupdate(TestKeys.ACME, cleanup());
  }

  private static String[] cleanup() {
    StringBuilder cleanup = new StringBuilder("zone " + ZONE + "\n");
    for (int i = 0; i < VALUES; i++) {
      cleanup.append("update delete n").append(i).append('.').append(BENCH).append(" TXT\n");
    }
    return cleanup.toString().split("\n");
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
