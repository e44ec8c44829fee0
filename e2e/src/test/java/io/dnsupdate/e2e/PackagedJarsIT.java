package io.dnsupdate.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dnsupdate.testkit.IssuedCertificate;
import io.dnsupdate.testkit.PackagedJar;
import io.dnsupdate.testkit.TestPki;
import io.dnsupdate.testkit.k8s.FrontProxyClient;
import io.dnsupdate.testkit.k8s.MockKubernetesApi;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the container images run: {@code java -jar} on the packaged jars with their lib/ folder,
 * configured by the environment variables the chart sets, each in a process of its own. No Docker
 * engine runs here, so this is the test that the image contents start and serve.
 */
class PackagedJarsIT {
  @TempDir Path work;

  private final List<Process> processes = new ArrayList<>();
  private final List<Path> logs = new ArrayList<>();
  private MockKubernetesApi api;

  @AfterEach
  void stop() throws IOException {
    for (Process p : processes) {
      p.destroy();
    }
    for (Process p : processes) {
      try {
        if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (api != null) {
      api.close();
    }
  }

  @Test
  void operatorAndWebhookJarsStartAndServe() throws Exception {
    api = MockKubernetesApi.start();
    api.applyCrds(LocalStack.crdsDir());
    MockKubernetesApi.answerLeaseAccessReview(api.server());
    TestPki frontProxyCa = TestPki.newCa("front-proxy-ca");
    api.installRequestHeaderConfig(frontProxyCa, List.of(LocalStack.FRONT_PROXY_CN));
    Path kubeconfig = api.writeKubeconfig(work.resolve("kubeconfig"));

    int operatorPort = freePort();
    launch(
        "operator",
        Map.of(
            "KUBECONFIG", kubeconfig.toString(),
            "WATCH_NAMESPACES", "",
            "LEADER_ELECTION", "true",
            "POD_NAMESPACE", "dnsupdate-system",
            "HTTP_PORT", String.valueOf(operatorPort),
            "LOG_LEVEL", "info"));

    TestPki servingCa = TestPki.newCa("serving-ca");
    IssuedCertificate serving =
        servingCa.issueServer("dnsupdate-webhook", List.of("localhost"), List.of("127.0.0.1"));
    Path tls = Files.createDirectories(work.resolve("tls"));
    serving.writeChainPem(tls.resolve("tls.crt"));
    serving.writeKeyPem(tls.resolve("tls.key"));
    int webhookPort = freePort();
    launch(
        "webhook",
        Map.of(
            "KUBECONFIG", kubeconfig.toString(),
            "TLS_CERT_FILE", tls.resolve("tls.crt").toString(),
            "TLS_KEY_FILE", tls.resolve("tls.key").toString(),
            "HTTPS_PORT", String.valueOf(webhookPort),
            "REQUESTHEADER_CONFIGMAP", "kube-system/extension-apiserver-authentication",
            "LOG_LEVEL", "info"));

    HttpClient http = HttpClient.newHttpClient();
    URI operator = URI.create("http://127.0.0.1:" + operatorPort);
    awaitStatus(http, operator.resolve("/healthz"), 200);
    awaitStatus(http, operator.resolve("/readyz"), 200);
    assertThat(get(http, operator.resolve("/metrics")).body()).contains("operator_sdk");

    HttpClient https = HttpClient.newBuilder().sslContext(servingCa.sslContext()).build();
    URI webhook = URI.create("https://127.0.0.1:" + webhookPort);
    awaitStatus(https, webhook.resolve("/healthz"), 200);
    // ready = the request-header CA from the ConfigMap and the caches are loaded
    awaitStatus(https, webhook.resolve("/readyz"), 200);
    FrontProxyClient apiServer =
        FrontProxyClient.builder(webhook, servingCa)
            .clientCertificate(frontProxyCa.issueClient(LocalStack.FRONT_PROXY_CN))
            .user("system:kube-aggregator")
            .build();
    FrontProxyClient.Response discovery = apiServer.get("/apis/acme.dnsupdate.io/v1alpha1");
    assertThat(discovery.status()).isEqualTo(200);
    assertThat(discovery.body()).contains("\"dnsupdate\"").contains("ChallengePayload");
    assertThat(processes).allMatch(Process::isAlive);
  }

  private void launch(String module, Map<String, String> env)
      throws IOException, InterruptedException {
    Path log = work.resolve(module + ".log");
    // the image's command: its JVM flags (<module>/jvm.options) with the class-data archive its
    // build writes (scripts/cds-archive.sh), then the jar with its lib/
    PackagedJar jar = PackagedJar.of(module);
    List<String> imageFlags =
        jar.writeCdsArchive(work.resolve(module + ".jsa"), work.resolve(module + "-cds.log"));
    ProcessBuilder builder =
        new ProcessBuilder(jar.command(imageFlags))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().putAll(env);
    processes.add(builder.start());
    logs.add(log);
  }

  private void awaitStatus(HttpClient http, URI uri, int status) {
    await(uri + " answers " + status)
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        // not the listener's AssertionError: ignored, it would only show as a timeout
        .ignoreExceptionsMatching(e -> !(e instanceof AssertionError))
        .conditionEvaluationListener(
            c -> {
              if (!c.isSatisfied() && processes.stream().anyMatch(p -> !p.isAlive())) {
                throw new AssertionError("a process exited:\n" + tails());
              }
            })
        .until(() -> get(http, uri).statusCode() == status);
  }

  private static HttpResponse<String> get(HttpClient http, URI uri) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private String tails() {
    StringBuilder out = new StringBuilder();
    for (Path log : logs) {
      try {
        List<String> lines = Files.readAllLines(log);
        out.append("--- ").append(log.getFileName()).append('\n');
        lines
            .subList(Math.max(0, lines.size() - 20), lines.size())
            .forEach(l -> out.append(l).append('\n'));
      } catch (IOException e) {
        out.append(log).append(": ").append(e).append('\n');
      }
    }
    return out.toString();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
