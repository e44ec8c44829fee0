package io.dnsupdate.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.api.ApiConstants;
import io.dnsupdate.api.TsigKey;
import io.dnsupdate.api.TsigKeySpec;
import io.dnsupdate.e2e.LocalNameserver;
import io.dnsupdate.testkit.CommandResult;
import io.dnsupdate.testkit.IssuedCertificate;
import io.dnsupdate.testkit.KubeControlPlane;
import io.dnsupdate.testkit.PortReservation;
import io.dnsupdate.testkit.RepositoryFiles;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The chart given {@code operator.watchNamespaces}: a second release, {@code scoped}, whose
 * ServiceAccounts get their rules through one RoleBinding per watched namespace, on a real API
 * server that enforces RBAC. Its webhook, running with its own ServiceAccount's token, reads key
 * Secrets in a watched namespace and is refused (403, a clean failure, no DNS change) in another;
 * its operator reconciles TsigKeys in both watched namespaces and leaves a third alone.
 */
@ExtendWith(RealCluster.Extension.class)
class WatchedNamespacesIT {
  private static final String RELEASE = "scoped";
  private static final String RELEASE_NS = "dnsupdate-scoped";
  private static final String A = "scoped-a";
  private static final String B = "scoped-b";
  private static final String OTHER = "scoped-c";
  private static final Set<String> RBAC =
      Set.of("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding");

  private static Manifests scopedChart(RealCluster cluster, int webhookPort) {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("operator", Map.of("watchNamespaces", List.of(A, B)));
    values.put("webhook", Map.of("httpsPort", webhookPort));
    return Manifests.render(
        RepositoryFiles.find("charts/dnsupdate-operator"),
        RELEASE,
        RELEASE_NS,
        values,
        cluster.work());
  }

  @Test
  void theWebhookReadsKeySecretsInWatchedNamespacesOnly(RealCluster cluster) throws Exception {
    try (PortReservation port = PortReservation.reserve("127.0.0.1")) {
      Manifests chart = scopedChart(cluster, port.port());
      // the webhook's ServiceAccount and ClusterRoles share its full name
      String secretsRole =
          chart.one("ServiceAccount", "webhook").path("metadata").path("name").asText()
              + ":key-secrets";
      assertThat(chart.find("ClusterRole", secretsRole)).isPresent();
      assertThat(bindingsOf(chart, "RoleBinding", secretsRole))
          .as("RoleBindings of %s", secretsRole)
          .containsExactlyInAnyOrder(A, B);
      assertThat(bindingsOf(chart, "ClusterRoleBinding", secretsRole)).isEmpty();

      for (String ns : List.of(RELEASE_NS, A, B)) {
        cluster.kubectlOk("create", "namespace", ns);
      }
      cluster.kubectlOk(
          "apply",
          "--server-side",
          "-f",
          chart
              .filter(o -> RBAC.contains(o.path("kind").asText()))
              .write(cluster.work().resolve("scoped-rbac.yaml"))
              .toString());
      // the unwatched namespace's issuer is made Ready by the cluster's own operator, which
      // watches every namespace; named then learns the watched one's key (it knows one at a time)
      cluster.readyIssuer(OTHER, OTHER + "." + LocalNameserver.ZONE);
      cluster.readyIssuer(A, A + "." + LocalNameserver.ZONE);

      String sa = chart.one("ServiceAccount", "webhook").path("metadata").path("name").asText();
      Path token =
          cluster
              .plane()
              .serviceAccountKubeconfig(
                  RELEASE_NS, sa, cluster.work().resolve("scoped-webhook.kubeconfig"));
      CommandResult own =
          cluster.plane().kubectlAs(token, "get", "secret", "-n", A, "example-com-tsig");
      assertThat(own.ok()).as(own.output()).isTrue();
      CommandResult other =
          cluster.plane().kubectlAs(token, "get", "secret", "-n", OTHER, "example-com-tsig");
      assertThat(other.ok()).isFalse();
      assertThat(other.output()).contains("Forbidden");

      Map<String, String> env = chart.literalEnv("webhook");
      env.put("KUBECONFIG", token.toString());
      env.put("TLS_CERT_FILE", cluster.webhookTls().resolve("tls.crt").toString());
      env.put("TLS_KEY_FILE", cluster.webhookTls().resolve("tls.key").toString());
      env.put("BIND_ADDRESS", "127.0.0.1");
      ComponentProcess webhook =
          ComponentProcess.jar("webhook", "webhook-scoped", env, cluster.work());
      try {
        IssuedCertificate proxy =
            cluster.plane().frontProxyCa().issueClient(KubeControlPlane.FRONT_PROXY_CLIENT);
        HttpClient http = FrontProxyClient.http(cluster, proxy);
        URI base = URI.create("https://127.0.0.1:" + port.port());
        cluster
            .await("the scoped webhook is ready")
            .until(
                () -> {
                  if (!webhook.isAlive()) {
                    throw new AssertionError("the scoped webhook exited:\n" + webhook.tail(40));
                  }
                  return send(http, HttpRequest.newBuilder(base.resolve("/readyz")).GET())
                      .statusCode();
                },
                c -> c == 200);

        String watched = "_acme-challenge." + A + "." + LocalNameserver.ZONE + ".";
        HttpResponse<String> present = solve(http, base, payload(A, "Present", "scoped-1"));
        assertThat(present.statusCode()).as(present.body()).isEqualTo(201);
        assertThat(present.body()).contains("\"success\":true");
        assertThat(cluster.dns().named().txt(watched)).contains("scoped-1");
        assertThat(solve(http, base, payload(A, "CleanUp", "scoped-1")).body())
            .contains("\"success\":true");
        assertThat(cluster.dns().named().txt(watched)).doesNotContain("scoped-1");

        List<String> zone = cluster.dns().named().recordStrings(LocalNameserver.ZONE + ".");
        HttpResponse<String> refused = solve(http, base, payload(OTHER, "Present", "scoped-2"));
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(201);
        assertThat(refused.body())
            .contains("\"success\":false")
            .contains("\"status\":\"Failed\"")
            .contains("Secret " + OTHER + "/example-com-tsig")
            .contains("the webhook is not allowed to read it");
        assertThat(cluster.dns().named().recordStrings(LocalNameserver.ZONE + ".")).isEqualTo(zone);
      } finally {
        webhook.close();
      }
    }
  }

  /**
   * On a control plane of its own, where no other operator runs: the scoped operator, with its
   * ServiceAccount's token and only the RoleBindings the chart renders, reconciles TsigKeys in the
   * watched namespaces and never touches the one created first in another.
   */
  @Test
  void theOperatorReconcilesTheWatchedNamespacesAndIgnoresAThird(RealCluster cluster)
      throws Exception {
    Manifests chart = scopedChart(cluster, 8443);
    try (KubeControlPlane plane = KubeControlPlane.builder().withoutControllerManager().start();
        PortReservation http = PortReservation.reserve("127.0.0.1")) {
      check(plane.kubectl("apply", "--server-side", "-f", RepositoryFiles.find("crds").toString()));
      check(plane.kubectl("wait", "--for=condition=Established", "crd", "--all", "--timeout=60s"));
      for (String ns : List.of(RELEASE_NS, A, B, OTHER)) {
        check(plane.kubectl("create", "namespace", ns));
      }
      check(
          plane.kubectl(
              "apply",
              "--server-side",
              "-f",
              chart
                  .filter(o -> RBAC.contains(o.path("kind").asText()))
                  .write(cluster.work().resolve("scoped-rbac-own-plane.yaml"))
                  .toString()));
      KubernetesClient k8s = plane.admin();
      // the unwatched namespace's TsigKey first: by the time the others are Ready, it has waited
      // longer than they took
      for (String ns : List.of(OTHER, A, B)) {
        k8s.resource(tsigKey(ns)).create();
      }

      String sa = chart.one("ServiceAccount", "operator").path("metadata").path("name").asText();
      Map<String, String> env = chart.literalEnv("operator");
      assertThat(env).containsEntry("WATCH_NAMESPACES", A + "," + B);
      env.put(
          "KUBECONFIG",
          plane
              .serviceAccountKubeconfig(
                  RELEASE_NS, sa, cluster.work().resolve("scoped-operator.kubeconfig"))
              .toString());
      env.put("POD_NAMESPACE", RELEASE_NS);
      env.put("HTTP_ADDRESS", "127.0.0.1");
      env.put("HTTP_PORT", String.valueOf(http.port()));
      env.put("HOSTNAME", "operator-scoped");
      ComponentProcess operator =
          ComponentProcess.jar("operator", "operator-scoped", env, cluster.work());
      try {
        for (String ns : List.of(A, B)) {
          try {
            Awaitility.await("TsigKey " + ns + "/web Ready")
                .atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(250))
                .ignoreExceptions()
                .until(
                    () -> {
                      TsigKey k =
                          k8s.resources(TsigKey.class).inNamespace(ns).withName("web").get();
                      return operator.isAlive()
                          && k.getStatus() != null
                          && k.getStatus().getConditions().stream()
                              .anyMatch(
                                  c ->
                                      ApiConstants.CONDITION_READY.equals(c.getType())
                                          && "True".equals(c.getStatus()));
                    });
          } catch (org.awaitility.core.ConditionTimeoutException e) {
            TsigKey k = k8s.resources(TsigKey.class).inNamespace(ns).withName("web").get();
            throw new AssertionError(
                "TsigKey "
                    + ns
                    + "/web not Ready; status "
                    + (k == null ? "(gone)" : k.getStatus())
                    + "; operator "
                    + (operator.isAlive() ? "running" : "exited")
                    + ", its log ends:\n"
                    + operator.tail(60),
                e);
          }
          assertThat(k8s.secrets().inNamespace(ns).withName("web-tsig").get()).isNotNull();
        }
        assertThat(operator.isAlive()).as(operator.tail(40)).isTrue();
        TsigKey ignored = k8s.resources(TsigKey.class).inNamespace(OTHER).withName("web").get();
        assertThat(ignored.getStatus()).isNull();
        assertThat(k8s.secrets().inNamespace(OTHER).withName("web-tsig").get()).isNull();
        assertThat(k8s.secrets().inNamespace(OTHER).list().getItems()).isEmpty();
        assertThat(operator.output()).doesNotContain(OTHER);
      } finally {
        operator.close();
      }
    }
  }

  private static TsigKey tsigKey(String ns) {
    TsigKey key = new TsigKey();
    key.getMetadata().setNamespace(ns);
    key.getMetadata().setName("web");
    key.setSpec(new TsigKeySpec());
    return key;
  }

  private static void check(CommandResult r) {
    assertThat(r.ok()).as(r.output()).isTrue();
  }

  /** The namespaces of the bindings of that kind to the role name. */
  private static List<String> bindingsOf(Manifests chart, String kind, String role) {
    return chart.filter(Manifests.kind(kind)).objects().stream()
        .filter(o -> role.equals(o.path("roleRef").path("name").asText()))
        .map(o -> o.path("metadata").path("namespace").asText())
        .toList();
  }

  private static HttpResponse<String> solve(HttpClient http, URI base, String json)
      throws Exception {
    return send(
        http,
        HttpRequest.newBuilder(base.resolve("/apis/acme.dnsupdate.io/v1alpha1/dnsupdate"))
            .header("Content-Type", "application/json")
            // who kube-apiserver's aggregator says is calling: cert-manager's ServiceAccount,
            // allowed by the cluster's chart to create challenges (a real SubjectAccessReview)
            .header("X-Remote-User", "system:serviceaccount:cert-manager:cert-manager")
            .header("X-Remote-Group", "system:serviceaccounts")
            .header("X-Remote-Group", "system:serviceaccounts:cert-manager")
            .header("X-Remote-Group", "system:authenticated")
            .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  private static HttpResponse<String> send(HttpClient http, HttpRequest.Builder request)
      throws Exception {
    return http.send(
        request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A ChallengePayload for {@code <namespace>.example.test}, as cert-manager sends it. */
  private static String payload(String namespace, String action, String key) {
    String zone = LocalNameserver.ZONE + ".";
    String domain = namespace + "." + LocalNameserver.ZONE;
    return """
        {"apiVersion":"webhook.acme.cert-manager.io/v1alpha1","kind":"ChallengePayload",
         "request":{"uid":"","action":"%s","type":"dns-01","dnsName":"%s","key":"%s",
          "resourceNamespace":"%s","resolvedFQDN":"_acme-challenge.%s.","resolvedZone":"%s",
          "allowAmbientCredentials":false,"config":{"issuer":"example-com"}}}
        """
        .formatted(action, domain, key, namespace, domain, zone);
  }
}
