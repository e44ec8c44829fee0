package io.dnsupdate.dns;

import static io.dnsupdate.dns.EngineFixture.CHALLENGE;
import static io.dnsupdate.dns.EngineFixture.ZONE;
import static io.dnsupdate.dns.EngineFixture.soa;
import static io.dnsupdate.dns.EngineFixture.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * {@link DnsUpdateClient.Confirm}: against a scripted server that answers NOERROR to every UPDATE,
 * raises its serial and keeps serving one TXT value (it refuses silently, as PowerDNS with a Lua
 * policy), reading back finds the value still there after its delete, and trusting the rcode sends
 * no read-back at all, while an add still learns its serial.
 */
class ConfirmByRcodeTest {
  private static final TsigCredentials KEY =
      TsigCredentials.generate("acme-key.", TsigAlgorithm.HMAC_SHA256, new SecureRandom());
  private static final long SERIAL = 2026120700;
  private static final String SERVED = token();

  private final List<String> seen = new CopyOnWriteArrayList<>();
  private final AtomicLong serial = new AtomicLong(SERIAL);

  @Test
  void readingBackFindsTheDeleteTheServerSkipped() throws Exception {
    try (ScriptedStreamServer server = silentServer()) {
      DnsUpdateClient client = new DnsUpdateClient(server.endpoint(5000), KEY, Clock.systemUTC());

      assertThatThrownBy(() -> client.apply(ZONE, List.of(TxtChange.delete(CHALLENGE, SERVED))))
          .isInstanceOfSatisfying(
              DnsUpdateException.class,
              e -> assertThat(e.reason()).isEqualTo(FailureReason.UpdateNotApplied));
      assertThat(seen).contains("UPDATE", "TXT");
    }
  }

  @Test
  void trustingTheRcodeSendsNoReadBackAndAnAddStillLearnsItsSerial() throws Exception {
    try (ScriptedStreamServer server = silentServer()) {
      DnsUpdateClient client = new DnsUpdateClient(server.endpoint(5000), KEY, Clock.systemUTC());

      UpdateResult deleted =
          client.apply(
              ZONE, List.of(TxtChange.delete(CHALLENGE, SERVED)), DnsUpdateClient.Confirm.BY_RCODE);
      assertThat(deleted.changes()).isEqualTo(1);
      assertThat(seen).containsExactly("UPDATE");

      seen.clear();
      UpdateResult added =
          client.apply(
              ZONE,
              List.of(TxtChange.add(CHALLENGE, token(), 60)),
              DnsUpdateClient.Confirm.BY_RCODE);
      assertThat(added.serial()).hasValue(SERIAL + 2);
      assertThat(seen).containsExactlyInAnyOrder("SOA", "UPDATE", "SOA");
    }
  }

  private ScriptedStreamServer silentServer() throws Exception {
    return new ScriptedStreamServer(
        (c, n) -> {
          for (Message request = c.read(); request != null; request = c.read()) {
            c.send(answer(request));
          }
        });
  }

  private Message answer(Message request) throws Exception {
    Message response = ScriptedStreamServer.reply(request);
    Record question = request.getQuestion();
    if (request.getHeader().getOpcode() == Opcode.UPDATE) {
      seen.add("UPDATE");
      serial.incrementAndGet(); // as PowerDNS: the serial moves, the refused change is skipped
    } else {
      seen.add(Type.string(question.getType()));
      if (question.getType() == Type.SOA) {
        response.addRecord(soa(serial.get()), Section.ANSWER);
      } else {
        response.addRecord(
            new TXTRecord(question.getName(), DClass.IN, 60, SERVED), Section.ANSWER);
      }
    }
    KEY.signer(Clock.systemUTC()).apply(response, request.getTSIG());
    return response;
  }
}
