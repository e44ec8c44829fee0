package io.dnsupdate.dns;

import static io.dnsupdate.dns.EngineFixture.CHALLENGE;
import static io.dnsupdate.dns.EngineFixture.ZONE;
import static io.dnsupdate.dns.EngineFixture.credentials;
import static io.dnsupdate.dns.EngineFixture.endpoint;
import static io.dnsupdate.dns.EngineFixture.tlsEndpoint;
import static io.dnsupdate.dns.EngineFixture.token;
import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.testkit.NamedExtension;
import io.dnsupdate.testkit.NamedServer;
import io.dnsupdate.testkit.TestKeys;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;
import org.xbill.DNS.Update;

/** Pooled connections against a real named: signed UPDATEs and queries from many threads. */
@ExtendWith(NamedExtension.class)
class ConnectionPoolIT {
  private static final int THREADS = 16;
  private static final int ROUNDS = 20;

  static NamedServer named;

  private final ConnectionPool pool =
      new ConnectionPool(ConnectionPool.MAX_PER_SERVER, 16, Duration.ofSeconds(10));

  @BeforeAll
  static void server(NamedServer server) {
    named = server;
  }

  @AfterEach
  void close() {
    pool.close();
  }

  @Test
  void concurrentUpdatesAndQueriesOverTcpShareTwoConnections() throws Exception {
    ServerEndpoint endpoint = endpoint(named, Transport.TCP);

    List<String> seen = addQueryDeleteFromManyThreads(endpoint);

    assertThat(seen).hasSize(THREADS * ROUNDS).doesNotContain("missing");
    assertThat(pool.connectionsOpened()).isBetween(1, ConnectionPool.MAX_PER_SERVER);
    assertThat(named.txt(CHALLENGE.toString())).noneMatch(v -> v.endsWith("-pooled"));
  }

  @Test
  void concurrentUpdatesAndQueriesOverTlsShareTwoConnections() throws Exception {
    ServerEndpoint endpoint = tlsEndpoint(named, named.tlsServerName());

    List<String> seen = addQueryDeleteFromManyThreads(endpoint);

    assertThat(seen).hasSize(THREADS * ROUNDS).doesNotContain("missing");
    assertThat(pool.connectionsOpened()).isBetween(1, ConnectionPool.MAX_PER_SERVER);
  }

  @Test
  void sequentialUpdatesUseOneConnection() throws Exception {
    ServerEndpoint endpoint = endpoint(named, Transport.TCP);
    for (int i = 0; i < 20; i++) {
      String value = token() + "-pooled";
      assertThat(update(endpoint, value, true)).isEqualTo(Rcode.NOERROR);
      assertThat(update(endpoint, value, false)).isEqualTo(Rcode.NOERROR);
    }

    assertThat(pool.connectionsOpened()).isEqualTo(1);
    assertThat(pool.connections(endpoint)).isEqualTo(1);
  }

  @Test
  void aRestartedServerIsReachedAgainOnANewConnection() throws Exception {
    ServerEndpoint endpoint = endpoint(named, Transport.TCP);
    String value = token() + "-pooled";
    assertThat(update(endpoint, value, true)).isEqualTo(Rcode.NOERROR);

    named.restart();

    assertThat(update(endpoint, value, false)).isEqualTo(Rcode.NOERROR);
    assertThat(named.txt(CHALLENGE.toString())).doesNotContain(value);
    assertThat(pool.connectionsOpened()).isEqualTo(2);
  }

  /** Each round: add a value, read it back, delete it; "missing" when the read-back lacked it. */
  private List<String> addQueryDeleteFromManyThreads(ServerEndpoint endpoint) throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<String>> rounds = new ArrayList<>();
      for (int i = 0; i < THREADS * ROUNDS; i++) {
        rounds.add(
            threads.submit(
                () -> {
                  String value = token() + "-pooled";
                  assertThat(update(endpoint, value, true)).isEqualTo(Rcode.NOERROR);
                  boolean served = txt(endpoint).contains(value);
                  assertThat(update(endpoint, value, false)).isEqualTo(Rcode.NOERROR);
                  return served ? value : "missing";
                }));
      }
      List<String> seen = new ArrayList<>();
      for (Future<String> f : rounds) {
        seen.add(f.get());
      }
      return seen;
    } finally {
      threads.shutdownNow();
    }
  }

  private int update(ServerEndpoint endpoint, String value, boolean add) throws Exception {
    Update update = new Update(ZONE);
    TXTRecord record = new TXTRecord(CHALLENGE, DClass.IN, add ? 60 : 0, value);
    if (add) {
      update.add(record);
    } else {
      update.delete(record);
    }
    return exchange(endpoint)
        .send(
            update,
            credentials(TestKeys.ACME).signer(Clock.systemUTC()),
            TestKeys.ACME.name(),
            "the update of " + value)
        .message()
        .getRcode();
  }

  private List<String> txt(ServerEndpoint endpoint) throws Exception {
    Message query = Message.newQuery(Record.newRecord(CHALLENGE, Type.TXT, DClass.IN));
    query.getHeader().unsetFlag(Flags.RD);
    List<String> values = new ArrayList<>();
    for (Record r :
        exchange(endpoint).send(query, null, "", "a query").message().getSection(Section.ANSWER)) {
      if (r instanceof TXTRecord txt) {
        values.add(String.join("", txt.getStrings()));
      }
    }
    return values;
  }

  private DnsExchange exchange(ServerEndpoint endpoint) {
    return new DnsExchange(endpoint, Clock.systemUTC(), pool);
  }
}
