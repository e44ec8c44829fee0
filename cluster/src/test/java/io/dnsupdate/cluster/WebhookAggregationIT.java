package io.dnsupdate.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.api.ApiConstants;
import io.dnsupdate.api.DnsUpdateIssuer;
import io.dnsupdate.api.TsigKey;
import io.dnsupdate.e2e.ExampleResources;
import io.dnsupdate.e2e.LocalNameserver;
import io.dnsupdate.testkit.ClusterBinaries;
import io.dnsupdate.testkit.CommandResult;
import io.dnsupdate.testkit.HoldingDnsProxy;
import io.dnsupdate.testkit.IssuedCertificate;
import io.dnsupdate.testkit.KubeControlPlane;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The webhook behind kube-apiserver's real aggregator: the APIService, the front-proxy certificate
 * and the {@code extension-apiserver-authentication} ConfigMap kube-apiserver publishes, and
 * authorization by real SubjectAccessReviews.
 */
@ExtendWith(RealCluster.Extension.class)
class WebhookAggregationIT {
  private static final String CHALLENGES = "/apis/acme.dnsupdate.io/v1alpha1/dnsupdate";

  @Test
  void theApiServiceIsAvailableAndDiscoveryAnswersThroughTheAggregator(RealCluster cluster) {
    assertThat(
            cluster.kubectlOk(
                "get",
                "apiservice",
                RealCluster.APISERVICE,
                "-o",
                "jsonpath={.status.conditions[?(@.type==\"Available\")].status}"))
        .isEqualTo("True");
    String discovery = cluster.kubectlOk("get", "--raw", "/apis/acme.dnsupdate.io/v1alpha1");
    assertThat(discovery)
        .contains("\"kind\":\"APIResourceList\"")
        .contains("\"name\":\"dnsupdate\"")
        .contains("\"kind\":\"ChallengePayload\"");
    assertThat(cluster.kubectlOk("api-resources", "--api-group=acme.dnsupdate.io"))
        .contains("dnsupdate");
  }

  @Test
  void cert_managersServiceAccountPresentsAndCleansUpThroughTheAggregator(RealCluster cluster)
      throws IOException {
    String ns = "webhook-allowed";
    cluster.readyIssuer(ns, LocalNameserver.ZONE);
    Path certManager = certManager(cluster, "cm.kc");
    String fqdn = "_acme-challenge." + LocalNameserver.ZONE + ".";

    CommandResult present = post(cluster, certManager, payload(ns, "Present", "aggregated-1"));
    assertThat(present.output()).contains("\"success\":true");
    assertThat(cluster.dns().named().txt(fqdn)).contains("aggregated-1");

    CommandResult cleanUp = post(cluster, certManager, payload(ns, "CleanUp", "aggregated-1"));
    assertThat(cleanUp.output()).contains("\"success\":true");
    assertThat(cluster.dns().named().txt(fqdn)).doesNotContain("aggregated-1");
  }

  /**
   * kube-apiserver's proxy speaks HTTP/2 to the webhook (it offers h2 by ALPN when the backend
   * does): a cancelled proxied request then reaches the webhook as a stream reset while its
   * challenge waits, not only when its answer is written.
   */
  @Test
  void theAggregatorReachesTheWebhookOverHttp2(RealCluster cluster) throws Exception {
    String ns = "webhook-h2";
    cluster.readyIssuer(ns, LocalNameserver.ZONE);
    Path certManager = certManager(cluster, "cm-h2.kc");
    HttpClient metrics = frontProxy(cluster);
    double h2Before = challengesAnswered(cluster, metrics, "h2");
    double http11Before = challengesAnswered(cluster, metrics, "http/1.1");

    CommandResult present = post(cluster, certManager, payload(ns, "Present", "h2-1"));
    assertThat(present.output()).contains("\"success\":true");

    assertThat(challengesAnswered(cluster, metrics, "h2")).isEqualTo(h2Before + 1);
    assertThat(challengesAnswered(cluster, metrics, "http/1.1")).isEqualTo(http11Before);
    assertThat(post(cluster, certManager, payload(ns, "CleanUp", "h2-1")).output())
        .contains("\"success\":true");
  }

  /**
   * A caller that hangs up on kube-apiserver while its Present waits before its UPDATE gets no
   * record: kube-apiserver cancels the proxied request, the stream reset reaches the webhook, and
   * the challenge stops. The wait is made certain by a DNS forwarder holding the UPDATE of an
   * earlier Present of the same issuer, behind which the second one queues (one message in flight
   * per zone and key).
   */
  @Test
  void aCallerThatHangsUpOnKubeApiserverLeavesNoRecord(RealCluster cluster) throws Exception {
    String ns = "webhook-hangup";
    String fqdn = "_acme-challenge." + LocalNameserver.ZONE + ".";
    try (HoldingDnsProxy proxy =
        new HoldingDnsProxy(
            new InetSocketAddress(cluster.dns().named().address(), cluster.dns().named().port()))) {
      readyIssuerVia(cluster, ns, "127.0.0.1:" + proxy.port());
      Path certManager = certManager(cluster, "cm-hangup.kc");
      HttpClient metrics = frontProxy(cluster);
      double abandonedBefore =
          metric(
              cluster,
              metrics,
              "dnsupdate_webhook_challenge_failures_total{",
              "reason=\"Abandoned\"");
      String first = "hangup-first-" + System.nanoTime();
      String gone = "hangup-gone-" + System.nanoTime();

      proxy.holdNextUpdateWith(first);
      CompletableFuture<CommandResult> firstPresent =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return post(cluster, certManager, payload(ns, "Present", first));
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
      assertThat(proxy.awaitHeld(60))
          .as("the first Present's UPDATE reached the forwarder")
          .isTrue();

      Path body = Files.createTempFile(cluster.work(), "payload-", ".json");
      Files.writeString(body, payload(ns, "Present", gone));
      Process caller =
          new ProcessBuilder(
                  ClusterBinaries.get().kubectl().toString(),
                  "--kubeconfig=" + certManager,
                  "create",
                  "--raw",
                  CHALLENGES,
                  "-f",
                  body.toString())
              .redirectErrorStream(true)
              .redirectOutput(cluster.work().resolve("hangup-kubectl.log").toFile())
              .start();
      try {
        cluster
            .await("the second Present waits in the webhook")
            .pollInterval(Duration.ofMillis(50))
            .until(
                () -> metric(cluster, metrics, "dnsupdate_webhook_challenges_in_progress ") == 2);
        long t0 = System.nanoTime();
        caller.destroy(); // kubectl goes; its connection to kube-apiserver closes
        assertThat(caller.waitFor(30, TimeUnit.SECONDS)).isTrue();
        cluster
            .await("the webhook gives the second Present up while the first UPDATE is held")
            .pollInterval(Duration.ofMillis(50))
            .until(
                () -> metric(cluster, metrics, "dnsupdate_webhook_challenges_in_progress ") == 1);
        System.out.printf(
            "[h2] kubectl killed: the webhook gave the challenge up %d ms later%n",
            (System.nanoTime() - t0) / 1_000_000);
      } finally {
        caller.destroyForcibly();
        proxy.release();
      }

      assertThat(firstPresent.get(60, TimeUnit.SECONDS).output()).contains("\"success\":true");
      assertThat(proxy.updatesWith(first)).isEqualTo(1);
      assertThat(proxy.updatesWith(gone)).isZero();
      assertThat(cluster.dns().named().txt(fqdn)).contains(first).doesNotContain(gone);
      assertThat(
              metric(
                  cluster,
                  metrics,
                  "dnsupdate_webhook_challenge_failures_total{",
                  "reason=\"Abandoned\""))
          .isEqualTo(abandonedBefore + 1);
      assertThat(post(cluster, certManager, payload(ns, "CleanUp", first)).output())
          .contains("\"success\":true");
    }
  }

  /**
   * {@link RealCluster#readyIssuer} with the issuer's nameserver (and its propagation check) at
   * {@code nameserver}.
   */
  private static void readyIssuerVia(RealCluster cluster, String ns, String nameserver)
      throws IOException {
    KubernetesClient k8s = cluster.admin();
    cluster.kubectlOk("create", "namespace", ns);
    TsigKey key = ExampleResources.tsigKey(ns, null, null);
    key.getSpec().setRotation(null);
    k8s.resource(key).create();
    DnsUpdateIssuer issuer =
        ExampleResources.issuer(ns, nameserver, LocalNameserver.ZONE, List.of());
    k8s.resource(issuer).create();
    String configSecret =
        key.getMetadata().getName() + ApiConstants.NAMESERVER_CONFIG_SECRET_SUFFIX;
    Secret config =
        cluster
            .await("the nameserver config of " + ns)
            .until(
                () -> k8s.secrets().inNamespace(ns).withName(configSecret).get(),
                c ->
                    c != null
                        && RealCluster.decoded(c)
                            .getOrDefault(ApiConstants.NAMESERVER_CONFIG_UPDATE_POLICY, "")
                            .contains("_acme-challenge." + LocalNameserver.ZONE));
    cluster.dns().trust(RealCluster.decoded(config), cluster.work());
    cluster.awaitReady(issuer);
  }

  /** The sum of the webhook's metric lines starting with {@code prefix} and holding every label. */
  private static double metric(
      RealCluster cluster, HttpClient http, String prefix, String... labels) throws Exception {
    double sum = 0;
    for (String line : metricsText(cluster, http).split("\n")) {
      if (line.startsWith(prefix) && java.util.Arrays.stream(labels).allMatch(line::contains)) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  private static String metricsText(RealCluster cluster, HttpClient http) throws Exception {
    return http.send(
            HttpRequest.newBuilder(
                    URI.create("https://127.0.0.1:" + cluster.webhookPort() + "/metrics"))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /** Challenge requests the webhook answered 201 over {@code protocol}, from its /metrics. */
  private static double challengesAnswered(RealCluster cluster, HttpClient http, String protocol)
      throws Exception {
    return metric(
        cluster,
        http,
        "dnsupdate_webhook_requests_total{",
        "route=\"challenge\"",
        "code=\"201\"",
        "protocol=\"" + protocol + "\"");
  }

  @Test
  void aServerSideDryRunPassesThroughTheAggregatorAndWritesNothing(RealCluster cluster)
      throws IOException {
    String ns = "webhook-dryrun";
    cluster.readyIssuer(ns, LocalNameserver.ZONE);
    Path certManager = certManager(cluster, "cm-dry.kc");
    List<String> before = cluster.dns().named().recordStrings(LocalNameserver.ZONE + ".");

    CommandResult dry =
        post(cluster, certManager, payload(ns, "Present", "dryrun-1"), CHALLENGES + "?dryRun=All");

    assertThat(dry.output()).contains("\"success\":true");
    assertThat(cluster.dns().named().recordStrings(LocalNameserver.ZONE + ".")).isEqualTo(before);
  }

  @Test
  void aCallerWithoutTheVerbIsForbiddenByKubeApiserver(RealCluster cluster) throws IOException {
    String ns = "webhook-stranger";
    cluster.kubectlOk("create", "namespace", ns);
    cluster.kubectlOk("create", "serviceaccount", "stranger", "-n", ns);
    Path stranger =
        cluster.plane().serviceAccountKubeconfig(ns, "stranger", cluster.work().resolve("s.kc"));
    List<String> before = cluster.dns().named().recordStrings(LocalNameserver.ZONE + ".");

    CommandResult result = post(cluster, stranger, payload(ns, "Present", "stranger-1"));

    assertThat(result.ok()).isFalse();
    assertThat(result.output())
        .contains("Forbidden")
        .contains("system:serviceaccount:" + ns + ":stranger");
    assertThat(cluster.dns().named().recordStrings(LocalNameserver.ZONE + ".")).isEqualTo(before);
  }

  /**
   * A front-proxy caller kube-apiserver would never let through: the webhook asks the real API
   * server with a SubjectAccessReview and refuses.
   */
  @Test
  void theWebhookAsksTheRealApiServerAndRefusesAnUnauthorizedUser(RealCluster cluster)
      throws Exception {
    KubeControlPlane plane = cluster.plane();
    IssuedCertificate proxy = plane.frontProxyCa().issueClient(KubeControlPlane.FRONT_PROXY_CLIENT);
    HttpClient http = FrontProxyClient.http(cluster, proxy);
    URI uri = URI.create("https://127.0.0.1:" + cluster.webhookPort() + CHALLENGES);
    List<String> before = cluster.dns().named().recordStrings(LocalNameserver.ZONE + ".");

    HttpResponse<String> answer =
        http.send(
            HttpRequest.newBuilder(uri)
                .header("Content-Type", "application/json")
                .header("X-Remote-User", "system:serviceaccount:webhook-sar:nobody")
                .header("X-Remote-Group", "system:serviceaccounts")
                .header("X-Remote-Group", "system:authenticated")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(payload("webhook-sar", "Present", "x")))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(403);
    assertThat(answer.body()).contains("\"kind\":\"Status\"").contains("Forbidden");
    assertThat(cluster.dns().named().recordStrings(LocalNameserver.ZONE + ".")).isEqualTo(before);
  }

  private static CommandResult post(RealCluster cluster, Path kubeconfig, String json)
      throws IOException {
    return post(cluster, kubeconfig, json, CHALLENGES);
  }

  private static CommandResult post(RealCluster cluster, Path kubeconfig, String json, String path)
      throws IOException {
    Path body = Files.createTempFile(cluster.work(), "payload-", ".json");
    Files.writeString(body, json);
    return cluster.plane().kubectlAs(kubeconfig, "create", "--raw", path, "-f", body.toString());
  }

  /** A ChallengePayload as cert-manager's webhook client sends it. */
  static String payload(String namespace, String action, String key) {
    String zone = LocalNameserver.ZONE + ".";
    return """
        {"apiVersion":"webhook.acme.cert-manager.io/v1alpha1","kind":"ChallengePayload",
         "request":{"uid":"","action":"%s","type":"dns-01","dnsName":"%s","key":"%s",
          "resourceNamespace":"%s","resolvedFQDN":"_acme-challenge.%s","resolvedZone":"%s",
          "allowAmbientCredentials":false,"config":{"issuer":"example-com"}}}
        """
        .formatted(action, LocalNameserver.ZONE, key, namespace, zone, zone);
  }

  /** A kubeconfig of cert-manager's service account, the webhook's real caller. */
  private static Path certManager(RealCluster cluster, String file) {
    return cluster
        .plane()
        .serviceAccountKubeconfig(
            RealCluster.CERT_MANAGER_NAMESPACE, "cert-manager", cluster.work().resolve(file));
  }

  /** A client of the webhook's own port as kube-apiserver's front proxy (e.g. for /metrics). */
  private static HttpClient frontProxy(RealCluster cluster) throws Exception {
    return FrontProxyClient.http(
        cluster, cluster.plane().frontProxyCa().issueClient(KubeControlPlane.FRONT_PROXY_CLIENT));
  }
}
