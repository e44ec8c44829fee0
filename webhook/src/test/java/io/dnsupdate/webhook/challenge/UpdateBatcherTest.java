package io.dnsupdate.webhook.challenge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dnsupdate.dns.DnsUpdateException;
import io.dnsupdate.dns.FailureReason;
import io.dnsupdate.dns.TxtChange;
import io.dnsupdate.dns.UpdateResult;
import io.dnsupdate.webhook.runtime.WebhookMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Name;

/** Coalescing against a fake nameserver that records the messages it gets. */
class UpdateBatcherTest {
  static final Name ZONE = Name.fromConstantString("example.test.");
  static final Duration WAIT = Duration.ofSeconds(10);

  final ExecutorService callers = Executors.newCachedThreadPool();
  final WebhookMetrics metrics = WebhookMetrics.inMemory();
  UpdateBatcher batcher;

  /** Records each message; blocks while the gate is closed; refuses messages with a bad name. */
  final class FakeServer implements UpdateBatcher.Sender {
    final List<List<TxtChange>> messages = new CopyOnWriteArrayList<>();
    volatile CountDownLatch gate = new CountDownLatch(0);
    volatile DnsUpdateException failAll;
    volatile DnsUpdateException failNext;

    @Override
    public UpdateResult apply(Name zone, List<TxtChange> changes) throws DnsUpdateException {
      messages.add(List.copyOf(changes));
      try {
        gate.await();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      if (failAll != null) {
        throw failAll;
      }
      DnsUpdateException once = failNext;
      if (once != null && messages.size() > 1) {
        failNext = null;
        throw once;
      }
      if (changes.stream().anyMatch(c -> c.owner().toString().startsWith("bad"))) {
        throw new DnsUpdateException(FailureReason.UpdateRefused, "REFUSED");
      }
      return new UpdateResult(changes.size(), false);
    }
  }

  @AfterEach
  void stop() {
    callers.shutdownNow();
    if (batcher != null) {
      batcher.close();
    }
  }

  static TxtChange add(String owner, int i) {
    return TxtChange.add(Name.fromConstantString(owner + ".example.test."), "v" + i, 60);
  }

  CompletableFuture<UpdateResult> submit(FakeServer server, Object lane, TxtChange change) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return batcher.apply(lane, server, ZONE, change, WAIT);
          } catch (DnsUpdateException e) {
            throw new java.util.concurrent.CompletionException(e);
          }
        },
        callers);
  }

  /** Sends one change and holds its message at the server, so the next ones queue up. */
  FakeServer withOneInFlight(Object lane) {
    FakeServer server = new FakeServer();
    server.gate = new CountDownLatch(1);
    submit(server, lane, add("first", 0));
    await().atMost(WAIT).until(() -> server.messages.size() == 1);
    return server;
  }

  @Test
  void changesArrivingWhileAMessageIsInFlightShareTheNextOnes() throws Exception {
    batcher = new UpdateBatcher(Duration.ofMillis(1), 20, metrics);
    FakeServer server = withOneInFlight("lane");
    List<CompletableFuture<UpdateResult>> results = new ArrayList<>();
    for (int i = 1; i <= 50; i++) {
      results.add(submit(server, "lane", add("n" + i, i)));
    }
    await().atMost(WAIT).until(() -> batcher.queued() == 50);

    server.gate.countDown();

    for (CompletableFuture<UpdateResult> r : results) {
      assertThat(r.get(10, TimeUnit.SECONDS)).isNotNull();
    }
    assertThat(server.messages).extracting(List::size).containsExactly(1, 20, 20, 10);
    assertThat(metrics.dnsUpdateMessages()).isEqualTo(4);
    assertThat(metrics.dnsUpdateChanges()).isEqualTo(51);
  }

  @Test
  void aLoneChangeGoesOutAfterTheWindow() throws Exception {
    batcher = new UpdateBatcher(Duration.ofMillis(5), 100, metrics);
    FakeServer server = new FakeServer();

    assertThat(submit(server, "lane", add("a", 1)).get(10, TimeUnit.SECONDS).changes())
        .isEqualTo(1);
    assertThat(server.messages).hasSize(1);
  }

  @Test
  void refusedMessageIsSplitUntilTheRefusedChangeFailsAlone() throws Exception {
    batcher = new UpdateBatcher(Duration.ofMillis(1), 100, metrics);
    FakeServer server = withOneInFlight("lane");
    List<CompletableFuture<UpdateResult>> good = new ArrayList<>();
    CompletableFuture<UpdateResult> bad = null;
    for (int i = 1; i <= 8; i++) {
      if (i == 6) {
        bad = submit(server, "lane", add("bad", i));
        await().atMost(WAIT).until(() -> batcher.queued() == 6);
      } else {
        good.add(submit(server, "lane", add("good" + i, i)));
        int queued = i;
        await().atMost(WAIT).until(() -> batcher.queued() == queued);
      }
    }

    server.gate.countDown();

    for (CompletableFuture<UpdateResult> r : good) {
      assertThat(r.get(10, TimeUnit.SECONDS)).isNotNull();
    }
    CompletableFuture<UpdateResult> refused = bad;
    assertThatThrownBy(() -> refused.get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(DnsUpdateException.class)
        .hasMessageContaining("REFUSED");
    // 8 refused; 4 ok, 4 refused; of those: 2 refused (then 1 ok, 1 refused), 2 ok
    assertThat(server.messages).extracting(List::size).containsExactly(1, 8, 4, 4, 2, 1, 1, 2);
  }

  @Test
  void aFailureOfTheServerFailsEveryChangeOfTheMessage() throws Exception {
    batcher = new UpdateBatcher(Duration.ofMillis(1), 100, metrics);
    FakeServer server = withOneInFlight("lane");
    server.failAll = new DnsUpdateException(FailureReason.KeyRejected, "BADKEY");
    CompletableFuture<UpdateResult> a = submit(server, "lane", add("a", 1));
    CompletableFuture<UpdateResult> b = submit(server, "lane", add("b", 2));
    await().atMost(WAIT).until(() -> batcher.queued() == 2);

    server.gate.countDown();

    assertThatThrownBy(() -> a.get(10, TimeUnit.SECONDS)).hasMessageContaining("BADKEY");
    assertThatThrownBy(() -> b.get(10, TimeUnit.SECONDS)).hasMessageContaining("BADKEY");
    assertThat(server.messages).extracting(List::size).containsExactly(1, 2);
  }

  @Test
  void lanesDoNotMix() throws Exception {
    batcher = new UpdateBatcher(Duration.ofMillis(1), 100, metrics);
    FakeServer server = withOneInFlight("zone-a");
    CompletableFuture<UpdateResult> other = submit(server, "zone-b", add("b", 1));

    // zone-b's change does not wait for zone-a's message to return
    await().atMost(WAIT).until(() -> server.messages.size() == 2);
    server.gate.countDown();
    assertThat(other.get(10, TimeUnit.SECONDS)).isNotNull();
    assertThat(server.messages).extracting(List::size).containsExactly(1, 1);
  }

  @Test
  void switchedOffEveryChangeTravelsAlone() throws Exception {
    batcher = UpdateBatcher.off(metrics);
    FakeServer server = new FakeServer();
    List<CompletableFuture<UpdateResult>> results = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      results.add(submit(server, "lane", add("n" + i, i)));
    }
    for (CompletableFuture<UpdateResult> r : results) {
      r.get(10, TimeUnit.SECONDS);
    }
    assertThat(server.messages).hasSize(10).allMatch(m -> m.size() == 1);
  }

  /**
   * Callers on one lane, each waiting for its answer before the next change: the lane goes idle and
   * retires again and again while other changes arrive. Each must still be sent, once, and never
   * two messages of the lane at a time.
   */
  @Test
  void aChangeArrivingWhileItsLaneRetiresIsSentOnceAndAlone() throws Exception {
    batcher = new UpdateBatcher(Duration.ZERO, 1000, metrics);
    java.util.concurrent.atomic.AtomicInteger flying =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger mostFlying =
        new java.util.concurrent.atomic.AtomicInteger();
    List<TxtChange> sent = new CopyOnWriteArrayList<>();
    UpdateBatcher.Sender server =
        (zone, changes) -> {
          mostFlying.accumulateAndGet(flying.incrementAndGet(), Math::max);
          sent.addAll(changes);
          Thread.yield();
          flying.decrementAndGet();
          return new UpdateResult(changes.size(), false);
        };
    int callers = 8;
    int each = 2000;
    List<CompletableFuture<Void>> loops = new ArrayList<>();
    for (int c = 0; c < callers; c++) {
      int caller = c;
      loops.add(
          CompletableFuture.runAsync(
              () -> {
                for (int i = 0; i < each; i++) {
                  try {
                    batcher.apply(
                        "lane", server, ZONE, add("c" + caller, i), Duration.ofSeconds(5));
                  } catch (DnsUpdateException e) {
                    throw new java.util.concurrent.CompletionException(e);
                  }
                }
              },
              this.callers));
    }

    CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

    assertThat(sent).hasSize(callers * each).doesNotHaveDuplicates();
    assertThat(mostFlying.get()).isEqualTo(1);
    assertThat(batcher.queued()).isZero();
  }

  @Test
  void aChangeThatFindsItsLaneIdleGoesOutAtOnceInItsCallersThread() throws Exception {
    batcher = new UpdateBatcher(Duration.ZERO, 1000, metrics);
    List<String> senderThreads = new CopyOnWriteArrayList<>();
    UpdateBatcher.Sender server =
        (zone, changes) -> {
          senderThreads.add(Thread.currentThread().getName());
          return new UpdateResult(changes.size(), false);
        };

    assertThat(batcher.apply("lane", server, ZONE, add("a", 1), WAIT).changes()).isEqualTo(1);

    assertThat(senderThreads).containsExactly(Thread.currentThread().getName());
  }

  @Test
  void withoutAWindowChangesArrivingDuringAFlightStillShareTheNextMessage() throws Exception {
    batcher = new UpdateBatcher(Duration.ZERO, 1000, metrics);
    FakeServer server = withOneInFlight("lane");
    List<CompletableFuture<UpdateResult>> results = new ArrayList<>();
    for (int i = 1; i <= 30; i++) {
      results.add(submit(server, "lane", add("n" + i, i)));
    }
    await().atMost(WAIT).until(() -> batcher.queued() == 30);

    server.gate.countDown();

    for (CompletableFuture<UpdateResult> r : results) {
      assertThat(r.get(10, TimeUnit.SECONDS)).isNotNull();
    }
    assertThat(server.messages).extracting(List::size).containsExactly(1, 30);
  }

  @Test
  void aMessageHoldsAtMostAHundredValuesOfOneNameAndSixtyThousandBytes() throws Exception {
    batcher = new UpdateBatcher(Duration.ZERO, 1000, metrics);
    FakeServer server = withOneInFlight("lane");
    List<CompletableFuture<UpdateResult>> results = new ArrayList<>();
    String value = "x".repeat(43); // a real challenge value's length
    for (int i = 0; i < 150; i++) {
      results.add(submit(server, "lane", TxtChange.add(name("same"), value + i, 60)));
    }
    for (int i = 0; i < 1000; i++) {
      results.add(submit(server, "lane", TxtChange.add(name("n" + i), value, 60)));
    }
    await().atMost(WAIT).until(() -> batcher.queued() == 1150);

    server.gate.countDown();

    for (CompletableFuture<UpdateResult> r : results) {
      assertThat(r.get(10, TimeUnit.SECONDS)).isNotNull();
    }
    List<List<TxtChange>> batches = server.messages.subList(1, server.messages.size());
    assertThat(batches.get(0)).hasSize(100); // the 101st value of "same" waits for the next one
    assertThat(batches.stream().mapToInt(List::size).sum()).isEqualTo(1150);
    assertThat(batches).hasSizeLessThan(5);
    for (List<TxtChange> m : batches) {
      assertThat(m.stream().mapToInt(TxtChange::wireSize).sum())
          .isLessThanOrEqualTo(MessageCaps.MAX_MESSAGE_BYTES);
      assertThat(m.stream().filter(c -> c.owner().equals(name("same"))).count())
          .isLessThanOrEqualTo(MessageCaps.MAX_VALUES_PER_NAME);
    }
  }

  @Test
  void aBatchLostToAResetIsSentAgainAndEveryChangeSucceeds() throws Exception {
    batcher = new UpdateBatcher(Duration.ZERO, 1000, metrics);
    FakeServer server = withOneInFlight("lane");
    List<CompletableFuture<UpdateResult>> results = new ArrayList<>();
    for (int i = 1; i <= 88; i++) {
      results.add(submit(server, "lane", add("n" + i, i)));
    }
    await().atMost(WAIT).until(() -> batcher.queued() == 88);
    server.failNext = reset();

    server.gate.countDown();

    for (CompletableFuture<UpdateResult> r : results) {
      assertThat(r.get(10, TimeUnit.SECONDS)).isNotNull();
    }
    assertThat(server.messages).extracting(List::size).containsExactly(1, 88, 88);
  }

  @Test
  void aServerThatKeepsResettingFailsTheBatchAfterThreeAttempts() throws Exception {
    batcher = new UpdateBatcher(Duration.ZERO, 1000, metrics);
    FakeServer server = new FakeServer();
    server.failAll = reset();

    assertThatThrownBy(() -> batcher.apply("lane", server, ZONE, add("a", 1), WAIT))
        .isInstanceOf(DnsUpdateException.class)
        .hasMessageContaining("reset");
    assertThat(server.messages).hasSize(TransportRetry.ATTEMPTS);
  }

  @Test
  void aRejectedKeyIsNotRetried() throws Exception {
    batcher = new UpdateBatcher(Duration.ZERO, 1000, metrics);
    FakeServer server = new FakeServer();
    server.failAll = new DnsUpdateException(FailureReason.KeyRejected, "BADKEY");

    assertThatThrownBy(() -> batcher.apply("lane", server, ZONE, add("a", 1), WAIT))
        .hasMessageContaining("BADKEY");
    assertThat(server.messages).hasSize(1);
  }

  static DnsUpdateException reset() {
    return new DnsUpdateException(
        FailureReason.NameserverUnreachable,
        "I/O error talking to nameserver 127.0.0.1:53: connection reset",
        new java.net.SocketException("Connection reset"));
  }

  static Name name(String label) {
    return Name.fromConstantString("_acme-challenge." + label + ".example.test.");
  }

  @Test
  void aCallerStopsWaitingAtItsTimeout() {
    batcher = new UpdateBatcher(Duration.ofMillis(1), 100, metrics);
    FakeServer server = new FakeServer();
    server.gate = new CountDownLatch(1);
    try {
      assertThatThrownBy(
              () -> batcher.apply("lane", server, ZONE, add("slow", 1), Duration.ofMillis(200)))
          .isInstanceOf(DnsUpdateException.class)
          .hasMessageContaining("no answer to the UPDATE of zone 'example.test.' within 200 ms");
    } finally {
      server.gate.countDown();
    }
  }
}
