package io.dnsupdate.dns;

import static io.dnsupdate.dns.EngineFixture.CHALLENGE;
import static io.dnsupdate.dns.EngineFixture.ZONE;
import static io.dnsupdate.dns.EngineFixture.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;

/**
 * An answer that is not signed with our key must not count as success. No real nameserver sends one
 * on purpose, so a one-shot TCP responder plays the man in the middle.
 */
class UntrustedAnswerTest {
  private static final TsigCredentials KEY =
      TsigCredentials.generate("acme-key.", TsigAlgorithm.HMAC_SHA256, new SecureRandom());

  @Test
  void unsignedNoErrorIsNotSuccess() throws Exception {
    assertThatThrownBy(() -> updateAgainst(response -> response))
        .isInstanceOf(DnsUpdateException.class)
        .hasFieldOrPropertyWithValue("reason", FailureReason.ResponseNotVerified)
        .hasMessageContaining("without a TSIG signature");
  }

  @Test
  void unsignedRefusalIsARejectedKeyAsPowerDnsSendsIt() throws Exception {
    for (int rcode : new int[] {Rcode.REFUSED, Rcode.NOTAUTH}) {
      assertThatThrownBy(
              () ->
                  updateAgainst(
                      response -> {
                        response.getHeader().setRcode(rcode);
                        return response;
                      }))
          .isInstanceOfSatisfying(
              DnsUpdateException.class,
              e -> assertThat(e.reason()).isEqualTo(FailureReason.KeyRejected))
          .hasMessageContaining("without a TSIG signature")
          .hasMessageContaining("import-tsig-key");
    }
  }

  @Test
  void answerSignedWithAnotherKeyIsNotSuccess() throws Exception {
    TsigCredentials other =
        TsigCredentials.generate("acme-key.", TsigAlgorithm.HMAC_SHA256, new SecureRandom());

    assertThatThrownBy(
            () ->
                updateAgainst(
                    response -> {
                      other.signer(Clock.systemUTC()).apply(response, null);
                      return response;
                    }))
        .isInstanceOf(DnsUpdateException.class)
        .hasFieldOrPropertyWithValue("reason", FailureReason.ResponseNotVerified)
        .hasMessageContaining("did not verify")
        .hasMessageContaining("cannot be trusted");
  }

  private static void answer(Socket s, UnaryOperator<Message> forge) {
    try (s) {
      DataInputStream in = new DataInputStream(s.getInputStream());
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      while (true) {
        byte[] query = new byte[in.readUnsignedShort()];
        in.readFully(query);
        Message request = new Message(query);
        byte[] wire = forge.apply(ScriptedStreamServer.reply(request)).toWire();
        out.writeShort(wire.length);
        out.write(wire);
        out.flush();
      }
    } catch (Exception e) {
      // the client closed the connection
    }
  }

  private static void updateAgainst(UnaryOperator<Message> forge) throws Exception {
    try (ServerSocket server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
      // answers every message on every connection the same forged way (the engine reads the
      // zone's serial around an update, on a second connection while the update is in flight)
      Thread responder =
          new Thread(
              () -> {
                while (!server.isClosed()) {
                  try {
                    Socket s = server.accept();
                    Thread connection = new Thread(() -> answer(s, forge));
                    connection.setDaemon(true);
                    connection.start();
                  } catch (Exception e) {
                    // server closed
                  }
                }
              });
      responder.setDaemon(true);
      responder.start();
      var endpoint =
          new ServerEndpoint(
              new Nameserver("127.0.0.1", server.getLocalPort()),
              Transport.TCP,
              null,
              Duration.ofSeconds(5));
      new DnsUpdateClient(endpoint, KEY, Clock.systemUTC()).addTxt(ZONE, CHALLENGE, token(), 60);
    }
  }
}
