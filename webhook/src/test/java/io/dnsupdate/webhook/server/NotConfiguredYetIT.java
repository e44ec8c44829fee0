package io.dnsupdate.webhook.server;

import static io.dnsupdate.webhook.WebhookFixture.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dnsupdate.testkit.IssuedCertificate;
import io.dnsupdate.testkit.TestPki;
import io.dnsupdate.testkit.k8s.FrontProxyClient;
import io.dnsupdate.testkit.k8s.MockKubernetesApi;
import io.dnsupdate.webhook.WebhookFixture;
import io.dnsupdate.webhook.WebhookMain;
import io.dnsupdate.webhook.runtime.Webhook;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Until kube-apiserver's request-header ConfigMap is read, nobody can be authenticated: callers are
 * told to come back (503, {@code Retry-After}, a Status), not that they are nobody (401); once it
 * is read, the same call succeeds.
 */
class NotConfiguredYetIT {
  @TempDir Path dir;

  @Test
  void discoveryAnswers503UntilTheConfigMapIsRead() {
    TestPki servingCa = TestPki.newCa("serving");
    IssuedCertificate serving =
        servingCa.issueServer("webhook", List.of("localhost"), List.of("127.0.0.1"));
    serving.writeChainPem(dir.resolve("tls.crt"));
    serving.writeKeyPem(dir.resolve("tls.key"));
    TestPki frontProxyCa = TestPki.newCa("front-proxy-ca");
    try (MockKubernetesApi api = MockKubernetesApi.start()) {
      api.applyCrds(Path.of(System.getProperty("dnsupdate.crdDir", "../crds")));
      Path kubeconfig = api.writeKubeconfig(dir.resolve("kubeconfig"));
      try (Webhook webhook =
          WebhookMain.start(
              new String[] {
                "--kubeconfig=" + kubeconfig,
                "--tls-cert-file=" + dir.resolve("tls.crt"),
                "--tls-key-file=" + dir.resolve("tls.key"),
                "--bind-address=127.0.0.1",
                "--https-port=0",
                "--startup-wait=0"
              })) {
        FrontProxyClient aggregator =
            FrontProxyClient.builder(webhook.uri(), servingCa)
                .clientCertificate(frontProxyCa.issueClient(WebhookFixture.FRONT_PROXY_CN))
                .user("system:kube-aggregator")
                .build();

        FrontProxyClient.Response early = aggregator.get("/apis/acme.dnsupdate.io/v1alpha1");

        assertThat(early.status()).isEqualTo(503);
        assertThat(early.headers().firstValue("Retry-After")).hasValue("1");
        JsonNode status = json(early.body());
        assertThat(status.get("kind").asText()).isEqualTo("Status");
        assertThat(status.get("reason").asText()).isEqualTo("ServiceUnavailable");
        assertThat(status.get("message").asText()).contains("request-header");

        api.installRequestHeaderConfig(frontProxyCa, List.of(WebhookFixture.FRONT_PROXY_CN));
        await("discovery once the ConfigMap is read")
            .atMost(Duration.ofSeconds(20))
            .pollInterval(Duration.ofMillis(50))
            .until(() -> aggregator.get("/apis/acme.dnsupdate.io/v1alpha1").status() == 200);
      }
    }
  }
}
