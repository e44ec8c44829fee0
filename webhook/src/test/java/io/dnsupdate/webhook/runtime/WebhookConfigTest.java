package io.dnsupdate.webhook.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Flags over environment over defaults, as CONTRACTS.md names them. */
class WebhookConfigTest {
  @Test
  void defaultsMatchTheChart() {
    WebhookConfig c = WebhookConfig.parse(new String[0], Map.of());

    assertThat(c.tlsCertFile()).isEqualTo(Path.of("/tls/tls.crt"));
    assertThat(c.tlsKeyFile()).isEqualTo(Path.of("/tls/tls.key"));
    assertThat(c.httpsPort()).isEqualTo(8443);
    assertThat(c.bindAddress()).isEqualTo("0.0.0.0");
    assertThat(c.requestHeaderNamespace()).isEqualTo("kube-system");
    assertThat(c.requestHeaderName()).isEqualTo("extension-apiserver-authentication");
    assertThat(c.logLevel()).isEqualTo("info");
    assertThat(c.kubeconfig()).isNull();
    assertThat(c.batchWindow()).isZero();
    assertThat(c.batchMaxChanges()).isEqualTo(1000);
    assertThat(c.authorizationCacheTtl()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.limits().maxHandshakes()).isEqualTo(16);
  }

  @Test
  void environment() {
    WebhookConfig c =
        WebhookConfig.parse(
            new String[0],
            Map.of(
                "TLS_CERT_FILE", "/etc/c.pem",
                "TLS_KEY_FILE", "/etc/k.pem",
                "HTTPS_PORT", "9443",
                "REQUESTHEADER_CONFIGMAP", "other/auth",
                "LOG_LEVEL", "debug",
                "BATCH_WINDOW", "off",
                "MAX_HANDSHAKES", "8"));

    assertThat(c.tlsCertFile()).isEqualTo(Path.of("/etc/c.pem"));
    assertThat(c.tlsKeyFile()).isEqualTo(Path.of("/etc/k.pem"));
    assertThat(c.httpsPort()).isEqualTo(9443);
    assertThat(c.requestHeaderNamespace()).isEqualTo("other");
    assertThat(c.requestHeaderName()).isEqualTo("auth");
    assertThat(c.logLevel()).isEqualTo("debug");
    assertThat(c.batchWindow()).as("off: no coalescing").isNull();
    assertThat(c.limits().maxHandshakes()).isEqualTo(8);
  }

  @Test
  void flagsWinOverEnvironment() {
    WebhookConfig c =
        WebhookConfig.parse(
            new String[] {"--https-port=0", "--kubeconfig=/tmp/kc", "--batch-window=10ms"},
            Map.of("HTTPS_PORT", "9443"));

    assertThat(c.httpsPort()).isZero();
    assertThat(c.kubeconfig()).isEqualTo(Path.of("/tmp/kc"));
    assertThat(c.batchWindow()).isEqualTo(Duration.ofMillis(10));
  }

  @Test
  void everyProblemIsReportedWithTheUsage() {
    assertThatThrownBy(
            () ->
                WebhookConfig.parse(
                    new String[] {
                      "--https-port=http", "--nope=1", "positional", "--log-level=loud"
                    },
                    Map.of("REQUESTHEADER_CONFIGMAP", "just-a-name")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--https-port: 'http' is not a number")
        .hasMessageContaining("unknown flag '--nope=1'")
        .hasMessageContaining("unexpected argument 'positional'")
        .hasMessageContaining("--log-level")
        .hasMessageContaining("REQUESTHEADER_CONFIGMAP: 'just-a-name' is not namespace/name")
        .hasMessageContaining("usage: dnsupdate-webhook");
  }
}
