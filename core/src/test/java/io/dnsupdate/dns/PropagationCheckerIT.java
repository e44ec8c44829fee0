package io.dnsupdate.dns;

import static io.dnsupdate.dns.EngineFixture.CHALLENGE;
import static io.dnsupdate.dns.EngineFixture.ZONE;
import static io.dnsupdate.dns.EngineFixture.client;
import static io.dnsupdate.dns.EngineFixture.endpoint;
import static io.dnsupdate.dns.EngineFixture.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.dnsupdate.testkit.NamedExtension;
import io.dnsupdate.testkit.TestKeys;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Propagation to every authoritative server: a real primary and a real secondary by NOTIFY. */
class PropagationCheckerIT {
  @RegisterExtension static final NamedExtension NAMED = NamedExtension.withSecondary();

  private final PropagationChecker checker =
      new PropagationChecker(null, Duration.ofMillis(100), Duration.ofSeconds(2));

  private List<ServerEndpoint> nsSet() throws DnsUpdateException {
    var primary = new DnsQuery(endpoint(NAMED.primary(), Transport.TCP), null, null);
    return checker.authoritativeServers(primary, ZONE, NAMED.primary().port());
  }

  @Test
  void nsSetIsFoundWithAddresses() throws Exception {
    // BIND rotates the order of an RRset between answers (rrset-order cyclic)
    assertThat(nsSet())
        .extracting(s -> s.nameserver().toString())
        .containsExactlyInAnyOrder(
            "127.0.0.1:" + NAMED.primary().port(), "127.0.0.2:" + NAMED.primary().port());
  }

  @Test
  void waitsUntilEveryAuthoritativeServerServesTheValueThenUntilItIsGone() throws Exception {
    String value = token();
    var client = client(NAMED.primary(), TestKeys.ACME);
    var servers = nsSet();

    client.addTxt(ZONE, CHALLENGE, value, 60);
    checker.awaitPresent(servers, CHALLENGE, value, Duration.ofSeconds(20));

    assertThat(NAMED.secondary().txt(CHALLENGE.toString())).contains(value);

    client.deleteTxt(ZONE, CHALLENGE, value);
    checker.awaitAbsent(servers, CHALLENGE, value, Duration.ofSeconds(20));

    assertThat(NAMED.secondary().txt(CHALLENGE.toString())).doesNotContain(value);
  }

  @Test
  void lagServerIsNamedWhenTheDeadlinePasses() throws Exception {
    String value = token();
    var client = client(NAMED.primary(), TestKeys.ACME);
    int port = NAMED.primary().port();
    // 127.0.0.3 runs no nameserver: it stands for a secondary that never gets the change
    var dead = new ServerEndpoint(new Nameserver("127.0.0.3", port), Transport.TCP, null, null);
    var servers = List.of(endpoint(NAMED.primary(), Transport.TCP), dead);
    client.addTxt(ZONE, CHALLENGE, value, 60);

    var e =
        catchThrowableOfType(
            PropagationTimeoutException.class,
            () -> checker.awaitPresent(servers, CHALLENGE, value, Duration.ofSeconds(1)));

    assertThat(e.laggingServers()).containsExactly("127.0.0.3:" + port);
    assertThat(e)
        .hasMessageContaining("1 of 2 authoritative nameserver(s) still do not serve")
        .hasMessageContaining("127.0.0.3:" + port + " (unreachable)");
    assertThat(e.reason()).isEqualTo(FailureReason.PropagationTimeout);
    client.deleteTxt(ZONE, CHALLENGE, value);
  }

  @Test
  void oneUpdateIsCheckedBySerialAndItsWaitersShareTheirSoaQueries() throws Exception {
    var client = client(NAMED.primary(), TestKeys.ACME);
    var servers = nsSet();
    List<TxtChange> adds = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      adds.add(TxtChange.add(CHALLENGE, token(), 60));
    }
    UpdateResult result = client.apply(ZONE, adds);
    long serial = result.serial().orElseThrow();
    ZoneSerials serials = new ZoneSerials(null);
    ExecutorService waiters = Executors.newFixedThreadPool(adds.size());
    try {
      List<Future<?>> done = new java.util.ArrayList<>();
      for (int i = 0; i < adds.size(); i++) {
        done.add(
            waiters.submit(
                () -> {
                  checker.awaitSerial(
                      servers, ZONE, serial, CHALLENGE, serials, Duration.ofSeconds(20));
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      waiters.shutdownNow();
    }

    assertThat(NAMED.secondary().txt(CHALLENGE.toString()))
        .containsAll(adds.stream().map(TxtChange::value).toList());
    assertThat(serials.queries())
        .as("20 waiters on 2 servers share their SOA queries")
        .isLessThan(adds.size());
    client.apply(ZONE, adds.stream().map(a -> TxtChange.delete(a.owner(), a.value())).toList());
  }

  @Test
  void aServerBelowTheSerialIsNamedWithItsSerial() throws Exception {
    var client = client(NAMED.primary(), TestKeys.ACME);
    String value = token();
    UpdateResult result = client.addTxt(ZONE, CHALLENGE, value, 60);
    long target = result.serial().orElseThrow() + 1000; // a serial the zone has not reached

    var e =
        catchThrowableOfType(
            PropagationTimeoutException.class,
            () ->
                checker.awaitSerial(
                    List.of(endpoint(NAMED.primary(), Transport.TCP)),
                    ZONE,
                    target,
                    CHALLENGE,
                    new ZoneSerials(null),
                    Duration.ofMillis(500)));

    assertThat(e)
        .hasMessageContaining(
            "1 of 1 authoritative nameserver(s) still do not serve serial " + target)
        .hasMessageContaining("(at serial " + result.serial().getAsLong());
    client.deleteTxt(ZONE, CHALLENGE, value);
  }
}
