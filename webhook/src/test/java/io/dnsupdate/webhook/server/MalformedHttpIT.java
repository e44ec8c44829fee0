package io.dnsupdate.webhook.server;

import static io.dnsupdate.webhook.WebhookFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dnsupdate.testkit.k8s.FrontProxyClient;
import io.dnsupdate.webhook.WebhookFixture;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Requests Jetty refuses before any handler runs are still answered with a Kubernetes {@code
 * Status}, as kube-apiserver would answer, never an HTML error page; and what the client sent is
 * not echoed raw.
 */
class MalformedHttpIT {
  static WebhookFixture fixture;

  @BeforeAll
  static void start() {
    fixture = WebhookFixture.start();
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  static Stream<Arguments> malformed() {
    String post = "POST " + FrontProxyClient.CHALLENGE_PATH + " HTTP/1.1\r\nHost: x\r\n";
    return Stream.of(
        Arguments.of("bad Content-Length", post + "Content-Length: 12abc\r\n\r\n{}", 400),
        Arguments.of(
            "Content-Length and Transfer-Encoding",
            post + "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            400),
        Arguments.of(
            "two different Content-Lengths",
            post + "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
            400),
        Arguments.of("unknown Transfer-Encoding", post + "Transfer-Encoding: gzip\r\n\r\n{}", 400),
        Arguments.of(
            // over the 32 KiB limit by a little: the server answers once it has read 32 KiB and
            // closes; a client still writing then (64 KiB did, once under load) gets a broken pipe
            // instead of the answer, while 40 KiB is all in the socket buffers before that
            "oversized headers", post + "X-Big: " + "a".repeat(40 * 1024) + "\r\n\r\n", 431),
        Arguments.of("garbage request line", "\u0001\u0002 / HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        Arguments.of("control characters in a header", post + "X-Evil: a\u0007b\r\n\r\n", 400));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void malformedHttpGetsAStatus(String what, String raw, int code) throws IOException {
    String answer = exchange(raw);

    int split = answer.indexOf("\r\n\r\n");
    assertThat(split).as(answer).isPositive();
    String head = answer.substring(0, split);
    String body = answer.substring(split + 4);
    assertThat(head).startsWith("HTTP/1.1 " + code);
    assertThat(head.toLowerCase()).contains("content-type: application/json");
    JsonNode status = json(body);
    assertThat(status.get("kind").asText()).isEqualTo("Status");
    assertThat(status.get("apiVersion").asText()).isEqualTo("v1");
    assertThat(status.get("status").asText()).isEqualTo("Failure");
    assertThat(status.get("code").asInt()).isEqualTo(code);
    assertThat(status.get("reason").asText()).isNotBlank();
    assertThat(status.get("message").asText()).isNotBlank().doesNotContain("\u0001", "\u0007");
  }

  /** Sends raw bytes over TLS and reads until the server closes or the answer is complete. */
  private static String exchange(String raw) throws IOException {
    try (SSLSocket s =
        (SSLSocket)
            fixture
                .servingCa
                .sslContext()
                .getSocketFactory()
                .createSocket("127.0.0.1", fixture.webhook.port())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[8192];
      int n;
      try {
        while ((n = in.read(buf)) > 0) {
          out.write(buf, 0, n);
          if (complete(out.toString(StandardCharsets.ISO_8859_1))) {
            break;
          }
        }
      } catch (IOException e) {
        // a reset after the answer: what was read is the answer
      }
      return out.toString(StandardCharsets.UTF_8);
    }
  }

  private static boolean complete(String text) {
    int split = text.indexOf("\r\n\r\n");
    if (split < 0) {
      return false;
    }
    for (String line : text.substring(0, split).split("\r\n")) {
      if (line.toLowerCase().startsWith("content-length:")) {
        int length = Integer.parseInt(line.substring(15).strip());
        return text.length() - split - 4 >= length;
      }
    }
    return false;
  }
}
