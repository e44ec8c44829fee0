package io.dnsupdate.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NamedExtension.class)
class PebbleServerTest {

  @Test
  void directoryAnswersAndRootsParse(NamedServer named) throws Exception {
    try (PebbleServer pebble = PebbleServer.start(named)) {
      assertThat(pebble.directoryUrl().toString())
          .isEqualTo("https://127.0.0.1:" + pebble.port() + "/dir");
      HttpClient http = HttpClient.newBuilder().sslContext(pebble.sslContext()).build();
      HttpResponse<String> dir =
          http.send(
              HttpRequest.newBuilder(pebble.directoryUrl()).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(dir.statusCode()).isEqualTo(200);
      assertThat(dir.body()).contains("newAccount", "newOrder", "newNonce");

      List<X509Certificate> roots = pebble.rootCertificates();
      assertThat(roots).isNotEmpty();
      X509Certificate root = roots.get(0);
      assertThat(root.getSubjectX500Principal()).isEqualTo(root.getIssuerX500Principal());
      root.verify(root.getPublicKey());
      assertThat(pebble.intermediateCertificates()).isNotEmpty();
    }
  }
}
