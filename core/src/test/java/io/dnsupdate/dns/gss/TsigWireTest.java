package io.dnsupdate.dns.gss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TSIGRecord;
import org.xbill.DNS.Type;
import org.xbill.DNS.WireParseException;

/**
 * The digest input GSS-TSIG signs is the one HMAC-TSIG signs: an HMAC over {@link TsigWire}'s bytes
 * equals the MAC dnsjava's own TSIG computes, for a request and for the answer to it.
 */
class TsigWireTest {

  private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes();
  private static final Instant NOW = Instant.parse("2026-12-06T19:00:00Z");

  private final Name keyName = name("k1.example.test.");
  private final TSIG tsig =
      new TSIG(
          TSIG.HMAC_SHA256,
          keyName,
          new SecretKeySpec(SECRET, "HmacSHA256"),
          Clock.fixed(NOW, ZoneOffset.UTC));

  @Test
  void requestDigestIsWhatHmacTsigSigns() throws Exception {
    Message query = Message.newQuery(Record.newRecord(name("example.test."), Type.SOA, DClass.IN));
    byte[] wire = query.toWire();
    TSIGRecord expected = tsig.generate(query, wire, 0, null);

    byte[] digest = TsigWire.requestDigest(wire, keyName, TSIG.HMAC_SHA256, NOW);

    assertThat(hmac(digest)).isEqualTo(expected.getSignature());
  }

  @Test
  void answerDigestIsWhatHmacTsigSignsAndAppendTsigFramesIt() throws Exception {
    Message query = Message.newQuery(Record.newRecord(name("example.test."), Type.SOA, DClass.IN));
    byte[] queryWire = query.toWire();
    TSIGRecord queryTsig = tsig.generate(query, queryWire, 0, null);
    assertThat(new Message(TsigWire.appendTsig(queryWire, queryTsig)).getTSIG())
        .isEqualTo(queryTsig);

    Message answer = new Message(query.getHeader().getID());
    answer.getHeader().setFlag(Flags.QR);
    answer.addRecord(query.getQuestion(), org.xbill.DNS.Section.QUESTION);
    answer.setTSIG(tsig, 0, queryTsig);
    // toWire() leaves the TSIG out: only toWire(maxLength) signs.
    byte[] answerWire = answer.toWire(65535);
    TSIGRecord answerTsig = new Message(answerWire).getTSIG();

    byte[] digest = TsigWire.answerDigest(queryTsig.getSignature(), answerWire, answerTsig);

    assertThat(hmac(digest)).isEqualTo(answerTsig.getSignature());
  }

  @Test
  void aTruncatedMessageIsAWireError() {
    assertThatThrownBy(() -> TsigWire.lastRecordOffset(new byte[11]))
        .isInstanceOf(WireParseException.class);
    byte[] oneRecordMissing = new byte[12];
    oneRecordMissing[11] = 1;
    assertThatThrownBy(() -> TsigWire.lastRecordOffset(oneRecordMissing))
        .isInstanceOf(WireParseException.class);
  }

  private static byte[] hmac(byte[] digest) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRET, "HmacSHA256"));
    return mac.doFinal(digest);
  }

  private static Name name(String s) {
    return Name.fromConstantString(s);
  }
}
