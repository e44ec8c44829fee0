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
import org.xbill.DNS.Name;

/**
 * Figures, not assertions on time: run with {@code mvn -pl core -am verify -Pbench}. Latency of one
 * add+delete and the time to add 1,000 distinct TXT values against a real named, beside {@code
 * nsupdate} doing the same work in one process. Results go to stdout and {@code
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
    thousandValues(client, named);
    nsupdate(named);

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

  private void thousandValues(DnsUpdateClient client, NamedServer named) throws Exception {
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
  }

  private void nsupdate(NamedServer named) throws Exception {
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
    report("nsupdate -v, 1 UPDATE per value, one process", t0);
    assertThat(named.txt("n999." + BENCH)).containsExactly("value-999");
    named.nsupdate(TestKeys.ACME, cleanup.toString().split("\n"));

    t0 = System.nanoTime();
    assertThat(named.nsupdate(TestKeys.ACME, batch.toString().split("\n")).ok()).isTrue();
    report("nsupdate -v, all values in 1 UPDATE", t0);
    named.nsupdate(TestKeys.ACME, cleanup.toString().split("\n"));
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
