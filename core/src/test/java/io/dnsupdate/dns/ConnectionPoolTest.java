package io.dnsupdate.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * Pipelining, reconnects and timeouts of pooled connections, against a scripted server on 127.0.0.1
 * that answers out of order, closes and resets when the test says so.
 */
class ConnectionPoolTest {
  private static final long DEADLINE_MS = 5000;

  private final List<AutoCloseable> closeAfter = new ArrayList<>();

  /** Requests in flight at once need threads of their own (the common pool may have one). */
  private final ExecutorService threads = Executors.newCachedThreadPool();

  @AfterEach
  void close() throws Exception {
    threads.shutdownNow();
    for (AutoCloseable c : closeAfter) {
      c.close();
    }
  }

  @Test
  void answersInReverseOrderReachTheirOwnRequests() throws Exception {
    var server =
        server(
            (c, n) -> {
              Message first = c.read();
              Message second = c.read();
              c.answer(second);
              c.answer(first);
              c.answerAll();
            });
    ConnectionPool pool = pool(1, Duration.ofSeconds(10));
    ServerEndpoint endpoint = server.endpoint(DEADLINE_MS);

    CompletableFuture<Message> a =
        CompletableFuture.supplyAsync(() -> ask(pool, endpoint, "a."), threads);
    CompletableFuture<Message> b =
        CompletableFuture.supplyAsync(() -> ask(pool, endpoint, "b."), threads);

    assertThat(a.get().getQuestion().getName()).isEqualTo(name("a."));
    assertThat(b.get().getQuestion().getName()).isEqualTo(name("b."));
    assertThat(server.accepted()).isEqualTo(1);
    assertThat(pool.connectionsOpened()).isEqualTo(1);
  }

  @Test
  void oneThreadKeepsRequestsInFlightAndAnAbandonedOneHandsItsShareBack() throws Exception {
    var server =
        server(
            (c, n) -> {
              Message first = c.read();
              Message second = c.read();
              Message third = c.read();
              c.answer(third);
              c.answer(second);
              c.answer(first);
              c.answerAll();
            });
    ConnectionPool pool = pool(1, Duration.ofMillis(300));
    ServerEndpoint endpoint = server.endpoint(DEADLINE_MS);
    DnsExchange exchange = new DnsExchange(endpoint, Clock.systemUTC(), pool);

    DnsExchange.Sent a = exchange.start(query("a."), null, "a");
    DnsExchange.Sent b = exchange.start(query("b."), null, "b");
    DnsExchange.Sent c = exchange.start(query("c."), null, "c");
    b.abandon();

    assertThat(c.answer().message().getQuestion().getName()).isEqualTo(name("c."));
    assertThat(a.answer().message().getQuestion().getName()).isEqualTo(name("a."));
    assertThat(server.accepted()).isEqualTo(1);
    // idle only once every request, the abandoned one too, has handed its share back
    await().atMost(Duration.ofSeconds(5)).until(() -> pool.connections(endpoint) == 0);
  }

  @Test
  void manyRequestsFromManyThreadsShareTheBoundedConnections() throws Exception {
    var server = server((c, n) -> c.answerAll());
    ConnectionPool pool = pool(2, Duration.ofSeconds(10));
    ServerEndpoint endpoint = server.endpoint(DEADLINE_MS);
    ExecutorService senders = Executors.newFixedThreadPool(16);
    try {
      List<Future<Message>> answers = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        String owner = "n" + i + ".";
        answers.add(senders.submit(() -> ask(pool, endpoint, owner)));
      }
      for (int i = 0; i < answers.size(); i++) {
        assertThat(answers.get(i).get().getQuestion().getName()).isEqualTo(name("n" + i + "."));
      }
    } finally {
      senders.shutdownNow();
    }
    assertThat(server.accepted()).isBetween(1, 2);
    assertThat(pool.connectionsOpened()).isBetween(1, 2);
  }

  @Test
  void aConnectionTheServerClosedWhileIdleIsReplacedTransparently() throws Exception {
    var server =
        server(
            (c, n) -> {
              if (n == 1) {
                c.answer(c.read());
                c.read(); // the next request arrives on a connection the server gives up
                return;
              }
              c.answerAll();
            });
    ConnectionPool pool = pool(2, Duration.ofSeconds(10));
    ServerEndpoint endpoint = server.endpoint(DEADLINE_MS);

    ask(pool, endpoint, "first.");
    Message second = ask(pool, endpoint, "second.");

    assertThat(second.getQuestion().getName()).isEqualTo(name("second."));
    assertThat(server.accepted()).isEqualTo(2);
    assertThat(pool.connectionsOpened()).isEqualTo(2);
  }

  @Test
  void aResetWithRequestsInFlightFailsThemAtOnceAndTheNextRequestWorks() throws Exception {
    var server =
        server(
            (c, n) -> {
              if (n == 1) {
                c.read();
                c.read();
                c.reset();
                return;
              }
              c.answerAll();
            });
    ConnectionPool pool = pool(1, Duration.ofSeconds(10));
    ServerEndpoint endpoint = server.endpoint(DEADLINE_MS);

    long t0 = System.nanoTime();
    var a = CompletableFuture.supplyAsync(() -> ask(pool, endpoint, "a."), threads);
    var b = CompletableFuture.supplyAsync(() -> ask(pool, endpoint, "b."), threads);

    for (var f : List.of(a, b)) {
      var e = catchThrowableOfType(ExecutionException.class, f::get);
      assertThat(e.getCause().getCause())
          .isInstanceOfSatisfying(
              DnsUpdateException.class,
              d -> assertThat(d.reason()).isEqualTo(FailureReason.NameserverUnreachable))
          .hasMessageContaining("I/O error talking to nameserver 127.0.0.1:" + server.port());
    }
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(4000));
    assertThat(ask(pool, endpoint, "c.").getQuestion().getName()).isEqualTo(name("c."));
    assertThat(server.accepted()).isEqualTo(2);
  }

  @Test
  void aTimedOutRequestFailsAloneAndTheConnectionStays() throws Exception {
    var server =
        server(
            (c, n) -> {
              for (Message m = c.read(); m != null; m = c.read()) {
                if (m.getQuestion().getName().equals(name("silent."))) {
                  server().report("silent");
                } else {
                  c.answer(m);
                }
              }
            });
    ConnectionPool pool = pool(1, Duration.ofSeconds(10));

    var silent =
        CompletableFuture.supplyAsync(() -> ask(pool, server.endpoint(2500), "silent."), threads);
    assertThat(server.nextEvent(5)).isEqualTo("silent");
    Message answered = ask(pool, server.endpoint(DEADLINE_MS), "answered.");

    var e = catchThrowableOfType(ExecutionException.class, silent::get);
    assertThat(e.getCause().getCause())
        .isInstanceOfSatisfying(
            DnsUpdateException.class,
            d -> assertThat(d.reason()).isEqualTo(FailureReason.NameserverUnreachable))
        .hasMessageContaining("no answer from nameserver")
        .hasMessageContaining("within 2500 ms");
    assertThat(answered.getQuestion().getName()).isEqualTo(name("answered."));
    assertThat(ask(pool, server.endpoint(DEADLINE_MS), "after.").getQuestion().getName())
        .isEqualTo(name("after."));
    assertThat(server.accepted()).isEqualTo(1);
  }

  @Test
  void aConnectionThatAnswersNothingIsReplaced() throws Exception {
    var server =
        server(
            (c, n) -> {
              if (n == 1) {
                while (c.read() != null) {
                  // swallows every request, like a half-dead path
                }
                return;
              }
              c.answerAll();
            });
    ConnectionPool pool = pool(2, Duration.ofSeconds(10));

    var e =
        catchThrowableOfType(
            DnsUpdateException.class, () -> send(pool, server.endpoint(300), "lost."));

    assertThat(e).hasMessageContaining("within 300 ms");
    assertThat(ask(pool, server.endpoint(DEADLINE_MS), "next.").getQuestion().getName())
        .isEqualTo(name("next."));
    assertThat(server.accepted()).isEqualTo(2);
  }

  @Test
  void idleConnectionsAreClosed() throws Exception {
    var server = server((c, n) -> c.answerAll());
    ConnectionPool pool = pool(2, Duration.ofMillis(200));
    ServerEndpoint endpoint = server.endpoint(DEADLINE_MS);

    ask(pool, endpoint, "once.");
    ask(pool, endpoint, "twice.");
    assertThat(pool.connections(endpoint)).isEqualTo(1);
    assertThat(server.accepted()).isEqualTo(1);

    await().atMost(Duration.ofSeconds(5)).until(() -> pool.connections(endpoint) == 0);
    assertThat(server.nextEvent(5)).isEqualTo("eof");
  }

  @Test
  void atTheOverallBoundTheIdleConnectionOfAnotherServerMakesRoom() throws Exception {
    var first = server((c, n) -> c.answerAll());
    var second = server((c, n) -> c.answerAll());
    ConnectionPool pool = new ConnectionPool(2, 1, Duration.ofSeconds(10));
    closeAfter.add(0, pool);

    ask(pool, first.endpoint(DEADLINE_MS), "first.");
    Message answer = ask(pool, second.endpoint(DEADLINE_MS), "second.");

    assertThat(answer.getQuestion().getName()).isEqualTo(name("second."));
    assertThat(first.nextEvent(5)).isEqualTo("eof");
    assertThat(pool.connections(first.endpoint(DEADLINE_MS))).isZero();
    assertThat(pool.connections(second.endpoint(DEADLINE_MS))).isEqualTo(1);
  }

  @Test
  void closingThePoolClosesItsConnections() throws Exception {
    var server = server((c, n) -> c.answerAll());
    ConnectionPool pool = pool(2, Duration.ofSeconds(10));
    ServerEndpoint endpoint = server.endpoint(DEADLINE_MS);
    ask(pool, endpoint, "once.");

    assertThat(readerThreads(server)).isEqualTo(1);

    pool.close();

    assertThat(server.nextEvent(5)).isEqualTo("eof");
    assertThat(pool.connections(endpoint)).isZero();
    await().atMost(Duration.ofSeconds(5)).until(() -> readerThreads(server) == 0);
    assertThat(catchThrowableOfType(DnsUpdateException.class, () -> send(pool, endpoint, "late.")))
        .hasMessageContaining("closed");
  }

  /** Live reader threads of connections to {@code server}: named after the port. */
  private static long readerThreads(ScriptedStreamServer server) {
    String prefix = "dns-" + server.port() + "-";
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith(prefix))
        .count();
  }

  private ScriptedStreamServer current;

  private ScriptedStreamServer server() {
    return current;
  }

  private ScriptedStreamServer server(ScriptedStreamServer.Script script) throws Exception {
    current = new ScriptedStreamServer(script);
    closeAfter.add(current);
    return current;
  }

  private ConnectionPool pool(int perServer, Duration idle) {
    ConnectionPool pool = new ConnectionPool(perServer, 16, idle);
    closeAfter.add(0, pool);
    return pool;
  }

  private static Message ask(ConnectionPool pool, ServerEndpoint endpoint, String owner) {
    try {
      return send(pool, endpoint, owner);
    } catch (DnsUpdateException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Message send(ConnectionPool pool, ServerEndpoint endpoint, String owner)
      throws DnsUpdateException {
    return new DnsExchange(endpoint, Clock.systemUTC(), pool)
        .send(query(owner), null, "", "the query for " + owner)
        .message();
  }

  private static Message query(String owner) {
    return Message.newQuery(Record.newRecord(name(owner), Type.TXT, DClass.IN));
  }

  private static Name name(String text) {
    return EngineFixture.name(text);
  }
}
