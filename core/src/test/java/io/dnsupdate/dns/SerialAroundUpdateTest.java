package io.dnsupdate.dns;

import static io.dnsupdate.dns.EngineFixture.CHALLENGE;
import static io.dnsupdate.dns.EngineFixture.ZONE;
import static io.dnsupdate.dns.EngineFixture.soa;
import static io.dnsupdate.dns.EngineFixture.token;
import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * An add reports the serial after it only when the serial moved across the UPDATE: the serial
 * before is asked for beside the UPDATE, so a server may answer it late, and a late "before" must
 * hide the move rather than invent one. Scripted servers that sign their answers play servers no
 * real one can be made to be on demand.
 */
class SerialAroundUpdateTest {
  private static final TsigCredentials KEY =
      TsigCredentials.generate("acme-key.", TsigAlgorithm.HMAC_SHA256, new SecureRandom());
  private static final long SERIAL = 2026120700;

  /** How the scripted server treats its serial. */
  enum Server {
    /** Raises it with every update (BIND, Knot, PowerDNS with SOA-EDIT-DNSUPDATE). */
    RAISES,
    /** Keeps it (PowerDNS without SOA-EDIT-DNSUPDATE). */
    KEEPS,
    /** Raises it, but answers the query before the update only after applying the update. */
    ANSWERS_BEFORE_LATE
  }

  @ParameterizedTest
  @EnumSource(Server.class)
  void theSerialIsReportedOnlyWhereItMovedAcrossTheUpdate(Server kind) throws Exception {
    Set<String> served = ConcurrentHashMap.newKeySet();
    AtomicLong serial = new AtomicLong(SERIAL);
    CountDownLatch soaAnswered = new CountDownLatch(1);
    try (ScriptedStreamServer server =
        new ScriptedStreamServer(
            (c, n) -> {
              for (Message request = c.read(); request != null; request = c.read()) {
                c.send(answer(request, kind, served, serial, soaAnswered));
              }
            })) {
      DnsUpdateClient client = new DnsUpdateClient(server.endpoint(5000), KEY, Clock.systemUTC());

      UpdateResult result = client.addTxt(ZONE, CHALLENGE, token(), 60);

      OptionalLong expected =
          kind == Server.RAISES ? OptionalLong.of(SERIAL + 1) : OptionalLong.empty();
      assertThat(result.serial()).isEqualTo(expected);
    }
  }

  /**
   * Over a stream the query for the serial before travels right ahead of the UPDATE on the same
   * connection, so a server that handles a connection's messages in order (all of BIND, Knot and
   * PowerDNS do) answers it first; on two connections a busy server may apply the update first and
   * the add then carries no serial (CI saw that once with BIND). Twice: the second add finds the
   * pool's connection idle.
   */
  @Test
  void theSerialBeforeTravelsRightAheadOfTheUpdateOnItsConnection() throws Exception {
    Set<String> served = ConcurrentHashMap.newKeySet();
    AtomicLong serial = new AtomicLong(SERIAL);
    List<String> seen = new CopyOnWriteArrayList<>();
    try (ScriptedStreamServer server =
        new ScriptedStreamServer(
            (c, n) -> {
              for (Message request = c.read(); request != null; request = c.read()) {
                boolean update = request.getHeader().getOpcode() == Opcode.UPDATE;
                seen.add(
                    n + (update ? " UPDATE" : " " + Type.string(request.getQuestion().getType())));
                c.send(answer(request, Server.KEEPS, served, serial, new CountDownLatch(0)));
              }
            })) {
      DnsUpdateClient client = new DnsUpdateClient(server.endpoint(5000), KEY, Clock.systemUTC());

      for (int round = 0; round < 2; round++) {
        seen.clear();
        client.addTxt(ZONE, CHALLENGE, token(), 60);

        int update = seen.stream().map(e -> e.endsWith(" UPDATE")).toList().indexOf(true);
        assertThat(update).as("round %d: %s", round, seen).isPositive();
        assertThat(seen.get(update - 1))
            .as("round %d: %s", round, seen)
            .isEqualTo(seen.get(update).replace("UPDATE", "SOA"));
      }
    }
  }

  private static Message answer(
      Message request,
      Server kind,
      Set<String> served,
      AtomicLong serial,
      CountDownLatch soaAnswered)
      throws Exception {
    Message response = ScriptedStreamServer.reply(request);
    Record question = request.getQuestion();
    if (request.getHeader().getOpcode() == Opcode.UPDATE) {
      if (kind == Server.RAISES) {
        // as BIND: the query beside the update is answered at once, the update applied later
        soaAnswered.await(5, TimeUnit.SECONDS);
      }
      for (Record r : request.getSection(Section.UPDATE)) {
        served.add(String.join("", ((TXTRecord) r).getStrings()));
      }
      if (kind != Server.KEEPS) {
        serial.incrementAndGet();
      }
    } else if (question.getType() == Type.SOA) {
      // a server answering late serves the version after the update to the query before it
      long now = kind == Server.ANSWERS_BEFORE_LATE && served.isEmpty() ? SERIAL + 1 : serial.get();
      response.addRecord(soa(now), Section.ANSWER);
      soaAnswered.countDown();
    } else {
      for (String value : served) {
        response.addRecord(new TXTRecord(question.getName(), DClass.IN, 60, value), Section.ANSWER);
      }
    }
    KEY.signer(Clock.systemUTC()).apply(response, request.getTSIG());
    return response;
  }
}
