package io.dnsupdate.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dnsupdate.api.TsigKey;
import io.dnsupdate.cli.UsageException;
import io.dnsupdate.operator.runtime.RunningOperator;
import io.dnsupdate.operator.testing.OperatorFixture;
import io.dnsupdate.operator.testing.Resources;
import io.dnsupdate.operator.tsigkey.TsigKeyReason;
import io.dnsupdate.testkit.k8s.MockKubernetesApi;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole process, in-process, against the mock API server: what the Deployment runs. */
@EnableKubernetesMockClient(crud = true)
class OperatorMainTest {
  static KubernetesMockServer server;
  static KubernetesClient client;

  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void setUp() {
    OperatorFixture.applyCrds(client);
    MockKubernetesApi.answerLeaseAccessReview(server);
  }

  private static Path kubeconfig(Path dir) throws IOException {
    String url = client.getConfiguration().getMasterUrl();
    return Files.writeString(
        dir.resolve("kubeconfig"),
        "apiVersion: v1\n"
            + "kind: Config\n"
            + "clusters:\n"
            + "- name: mock\n"
            + "  cluster:\n"
            + "    server: "
            + url
            + "\n"
            + "    insecure-skip-tls-verify: true\n"
            + "users:\n"
            + "- name: operator\n"
            + "  user:\n"
            + "    token: test-token\n"
            + "contexts:\n"
            + "- name: mock\n"
            + "  context: {cluster: mock, user: operator, namespace: default}\n"
            + "current-context: mock\n");
  }

  private HttpResponse<String> get(RunningOperator running, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + running.httpPort() + path))
            .timeout(Duration.ofSeconds(5))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void startsWithLeaderElectionServesHealthAndMetricsAndCloses(@TempDir Path dir) throws Exception {
    RunningOperator running =
        OperatorMain.start(
            new String[] {
              "--kubeconfig=" + kubeconfig(dir),
              "--http-address=127.0.0.1",
              "--http-port=0",
              "--leader-election=true",
              "--lease-namespace=dnsupdate-system",
              "--log-level=debug"
            });
    try {
      await().atMost(Resources.DEADLINE).until(running::leader);
      Lease lease =
          client.leases().inNamespace("dnsupdate-system").withName("dnsupdate-operator").get();
      assertThat(lease.getSpec().getHolderIdentity()).isNotBlank();

      assertThat(get(running, "/healthz").statusCode()).isEqualTo(200);
      await().atMost(Resources.DEADLINE).until(() -> get(running, "/readyz").statusCode() == 200);
      assertThat(get(running, "/nope").statusCode()).isEqualTo(404);

      // the leader reconciles
      Resources.apply(client, Resources.tsigKey("main", "web", s -> {}));
      Resources.awaitReason(client, TsigKey.class, "main", "web", TsigKeyReason.KeyReady);

      HttpResponse<String> metrics = get(running, "/metrics");
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.headers().firstValue("Content-Type"))
          .hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
      assertThat(metrics.body())
          .contains("operator_sdk_reconciliations_started_total")
          .contains("operator_sdk_controllers_execution_reconcile")
          .contains("jvm_memory_used_bytes")
          .doesNotContain(
              client
                  .secrets()
                  .inNamespace("main")
                  .withName("web-tsig")
                  .get()
                  .getData()
                  .get("secret"));
    } finally {
      running.close();
    }
    assertThat(running.state()).isEqualTo(RunningOperator.State.CLOSED);
    assertThat(running.awaitTermination()).isZero();
    assertThatThrownBy(() -> get(running, "/healthz")).isInstanceOf(IOException.class);
  }

  @Test
  void runsWithoutLeaderElection(@TempDir Path dir) throws Exception {
    try (RunningOperator running =
        OperatorMain.start(
            new String[] {
              "--kubeconfig=" + kubeconfig(dir),
              "--http-address=127.0.0.1",
              "--http-port=0",
              "--leader-election=false",
              "--watch-namespaces=solo"
            })) {
      assertThat(running.leader()).isFalse();
      Resources.apply(client, Resources.tsigKey("solo", "web", s -> {}));
      Resources.awaitReason(client, TsigKey.class, "solo", "web", TsigKeyReason.KeyReady);
      assertThat(get(running, "/readyz").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void refusesABadFlagBeforeStartingAnything() {
    assertThatThrownBy(() -> OperatorMain.start(new String[] {"--http-port=seventy"}))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("--http-port");
  }
}
