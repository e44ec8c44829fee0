package io.dnsupdate.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.e2e.LocalNameserver;
import io.dnsupdate.testkit.CommandResult;
import io.dnsupdate.testkit.IssuedCertificate;
import io.dnsupdate.testkit.KubeControlPlane;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
    Path certManager =
        cluster
            .plane()
            .serviceAccountKubeconfig(
                RealCluster.CERT_MANAGER_NAMESPACE,
                "cert-manager",
                cluster.work().resolve("cm.kc"));
    String fqdn = "_acme-challenge." + LocalNameserver.ZONE + ".";

    CommandResult present = post(cluster, certManager, payload(ns, "Present", "aggregated-1"));
    assertThat(present.output()).contains("\"success\":true");
    assertThat(cluster.dns().named().txt(fqdn)).contains("aggregated-1");

    CommandResult cleanUp = post(cluster, certManager, payload(ns, "CleanUp", "aggregated-1"));
    assertThat(cleanUp.output()).contains("\"success\":true");
    assertThat(cluster.dns().named().txt(fqdn)).doesNotContain("aggregated-1");
  }

  @Test
  void aServerSideDryRunPassesThroughTheAggregatorAndWritesNothing(RealCluster cluster)
      throws IOException {
    String ns = "webhook-dryrun";
    cluster.readyIssuer(ns, LocalNameserver.ZONE);
    Path certManager =
        cluster
            .plane()
            .serviceAccountKubeconfig(
                RealCluster.CERT_MANAGER_NAMESPACE,
                "cert-manager",
                cluster.work().resolve("cm-dry.kc"));
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
}
