package io.dnsupdate.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.dnsupdate.api.ApiConstants;
import io.dnsupdate.e2e.LocalNameserver;
import io.dnsupdate.testkit.CommandResult;
import io.dnsupdate.testkit.PebbleServer;
import io.dnsupdate.testkit.Pem;
import io.dnsupdate.testkit.RepositoryFiles;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * examples/team-folder as a GitOps tool applies it: {@code kubectl kustomize} of an overlay that
 * has the folder as its base (as a repository keeps one per environment) and changes only what
 * points outside this machine (the nameserver, the zone and names under it, the ACME server),
 * applied server-side by the field manager Flux's kustomize-controller uses. The real cert-manager
 * then gets the folder's wildcard certificate from Pebble through our webhook and the real BIND,
 * and applying the same output again changes nothing.
 */
@ExtendWith(RealCluster.Extension.class)
class TeamFolderIT {
  private static final String MANAGER = "kustomize-controller";
  private static final String NS = "team-a";
  private static final String DOMAIN = "team-a." + LocalNameserver.ZONE;
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  // cert-manager waits 60 s after each DNS01 self-check, and the apex and the wildcard share one
  // challenge name, so it solves them one after the other: about 2.5 minutes
  private static final Duration ISSUANCE = Duration.ofMinutes(6);

  private static PebbleServer pebble;

  @BeforeAll
  static void startPebble(RealCluster cluster) {
    pebble = PebbleServer.start(cluster.dns().named());
  }

  @AfterAll
  static void stopPebble() {
    if (pebble != null) {
      pebble.close();
    }
  }

  @Test
  void theTeamFolderAppliedServerSideGetsItsCertificateAndStaysPut(RealCluster cluster)
      throws Exception {
    KubernetesClient k8s = cluster.admin();
    // the folder is one namespace's content; the namespace itself is the cluster admin's
    cluster.kubectlOk("create", "namespace", NS);
    Path rendered = render(cluster);
    List<JsonNode> objects = documents(rendered);
    assertThat(objects)
        .extracting(o -> o.path("kind").asText())
        .containsExactlyInAnyOrder("TsigKey", "DnsUpdateIssuer", "Issuer", "Certificate");
    assertThat(objects)
        .allSatisfy(o -> assertThat(o.path("metadata").path("namespace").asText()).isEqualTo(NS));

    long started = System.nanoTime();
    apply(cluster, rendered);
    Secret config =
        cluster
            .await("the team's nameserver config grants its challenge name")
            .until(
                () ->
                    k8s.secrets()
                        .inNamespace(NS)
                        .withName("team-a" + ApiConstants.NAMESERVER_CONFIG_SECRET_SUFFIX)
                        .get(),
                s ->
                    s != null
                        && RealCluster.decoded(s)
                            .getOrDefault(ApiConstants.NAMESERVER_CONFIG_UPDATE_POLICY, "")
                            .contains("_acme-challenge." + DOMAIN));
    cluster.dns().trust(RealCluster.decoded(config), cluster.work());
    awaitCondition(cluster, "tsigkey", "team-a", "Ready", "True", Duration.ofMinutes(2));
    awaitCondition(cluster, "dnsupdateissuer", "team-a", "Ready", "True", Duration.ofMinutes(3));
    assertThat(jsonpath(cluster, "dnsupdateissuer", "team-a", "Ready", "reason"))
        .as("requireLimitedKey: the probe found the key limited to its challenge name")
        .isEqualTo("Authenticated");
    awaitCondition(cluster, "certificate", "team-a", "Ready", "True", ISSUANCE);
    System.out.printf(
        "team folder: applied to certificate issued in %d ms%n",
        (System.nanoTime() - started) / 1_000_000);

    Secret tls = k8s.secrets().inNamespace(NS).withName("team-a-tls").get();
    List<X509Certificate> chain =
        Pem.parseCertificates(
            new String(
                Base64.getDecoder().decode(tls.getData().get("tls.crt")), StandardCharsets.UTF_8));
    assertThat(chain.get(0).getSubjectAlternativeNames().stream().map(n -> (String) n.get(1)))
        .containsExactlyInAnyOrder(DOMAIN, "*." + DOMAIN);
    assertThat(chain.get(0).getIssuerX500Principal())
        .isEqualTo(pebble.intermediateCertificates().get(0).getSubjectX500Principal());
    cluster
        .await("no _acme-challenge TXT left in the zone (AXFR)")
        .until(() -> cluster.dns().challengeRecords(), List::isEmpty);

    // the next sync applies the same output: nothing to change, nothing changed
    Map<String, String> before = resourceVersions(k8s, objects);
    apply(cluster, rendered);
    CommandResult diff =
        cluster.kubectl(
            "diff", "--server-side", "--field-manager=" + MANAGER, "-f", rendered.toString());
    assertThat(diff.exitCode()).as("kubectl diff:%n%s", diff.output()).isZero();
    assertThat(resourceVersions(k8s, objects)).isEqualTo(before);
  }

  /** The overlay a repository would keep for this machine, rendered by kubectl kustomize. */
  private static Path render(RealCluster cluster) throws Exception {
    Path overlay = Files.createDirectories(cluster.work().resolve("team-a-overlay"));
    Path base = overlay.relativize(RepositoryFiles.find("examples/team-folder").toAbsolutePath());
    String ns = cluster.dns().hostPort();
    String caBundle = Base64.getEncoder().encodeToString(Files.readAllBytes(pebble.tlsCaPemFile()));
    Files.writeString(
        overlay.resolve("kustomization.yaml"),
        """
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        resources:
          - %s
        patches:
          - target: {kind: DnsUpdateIssuer, name: team-a}
            patch: |
              - {op: replace, path: /spec/nameservers, value: ["%s"]}
              - {op: replace, path: /spec/zone, value: "%s."}
              - {op: replace, path: /spec/domains, value: ["%s"]}
              - {op: add, path: /spec/propagation, value: {verify: true, nameservers: ["%s"]}}
          - target: {kind: Issuer, name: letsencrypt-staging}
            patch: |
              - {op: replace, path: /spec/acme/server, value: "%s"}
              - {op: add, path: /spec/acme/caBundle, value: "%s"}
          - target: {kind: Certificate, name: team-a}
            patch: |
              - {op: replace, path: /spec/dnsNames, value: ["%s", "*.%s"]}
        """
            .formatted(
                base,
                ns,
                LocalNameserver.ZONE,
                DOMAIN,
                ns,
                pebble.directoryUrl(),
                caBundle,
                DOMAIN,
                DOMAIN));
    Path out = cluster.work().resolve("team-a-rendered.yaml");
    Files.writeString(out, cluster.kubectlOk("kustomize", overlay.toString()));
    return out;
  }

  private static void apply(RealCluster cluster, Path file) {
    cluster.kubectlOk(
        "apply", "--server-side", "--field-manager=" + MANAGER, "-f", file.toString());
  }

  private static List<JsonNode> documents(Path file) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    try (var parser = YAML.getFactory().createParser(file.toFile())) {
      for (var it = YAML.readValues(parser, JsonNode.class); it.hasNext(); ) {
        JsonNode doc = it.next();
        if (doc != null && doc.hasNonNull("kind")) {
          out.add(doc);
        }
      }
    }
    return out;
  }

  /** kind/name to resourceVersion of each applied object, read from the API server. */
  private static Map<String, String> resourceVersions(
      KubernetesClient k8s, List<JsonNode> objects) {
    Map<String, String> out = new LinkedHashMap<>();
    for (JsonNode o : objects) {
      String name = o.path("metadata").path("name").asText();
      GenericKubernetesResource live =
          k8s.genericKubernetesResources(o.path("apiVersion").asText(), o.path("kind").asText())
              .inNamespace(NS)
              .withName(name)
              .get();
      out.put(o.path("kind").asText() + "/" + name, live.getMetadata().getResourceVersion());
    }
    return out;
  }

  private static void awaitCondition(
      RealCluster cluster, String resource, String name, String type, String want, Duration max) {
    cluster
        .await(resource + " " + NS + "/" + name + " " + type + "=" + want)
        .atMost(max)
        .until(() -> jsonpath(cluster, resource, name, type, "status"), want::equals);
  }

  private static String jsonpath(
      RealCluster cluster, String resource, String name, String type, String field) {
    return cluster.kubectlOk(
        "get",
        resource,
        "-n",
        NS,
        name,
        "-o",
        "jsonpath={.status.conditions[?(@.type==\"" + type + "\")]." + field + "}");
  }
}
