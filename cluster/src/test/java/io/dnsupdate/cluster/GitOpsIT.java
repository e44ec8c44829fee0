package io.dnsupdate.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.dnsupdate.api.ApiConstants;
import io.dnsupdate.api.DnsUpdateIssuer;
import io.dnsupdate.api.TsigKey;
import io.dnsupdate.api.TsigKeySpec;
import io.dnsupdate.e2e.ExampleResources;
import io.dnsupdate.e2e.LocalNameserver;
import io.dnsupdate.testkit.ClusterBinaries;
import io.dnsupdate.testkit.CommandResult;
import io.dnsupdate.testkit.RepositoryFiles;
import io.dnsupdate.testkit.TestKeys;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What a GitOps tool sees: the examples applied server-side as Flux's kustomize-controller would,
 * no drift on re-apply, and the health checks the chart ships in gitops/ (Argo CD's Lua, Flux's
 * CEL) and plain kstatus on real resources in each state, checked by the Go tests in cluster/health
 * with the libraries those tools use.
 */
@ExtendWith(RealCluster.Extension.class)
class GitOpsIT {
  private static final String MANAGER = "kustomize-controller";
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void examplesAppliedServerSideStayPutAndEveryToolReadsTheirHealth(RealCluster cluster)
      throws Exception {
    String ns = "gitops";
    cluster.kubectlOk("create", "namespace", ns);
    KubernetesClient k8s = cluster.admin();
    TsigKey key = ExampleResources.tsigKey(ns, null, null);
    DnsUpdateIssuer issuer =
        ExampleResources.issuer(ns, cluster.dns().hostPort(), LocalNameserver.ZONE, List.of());
    issuer.getSpec().setDomains(List.of("gitops." + LocalNameserver.ZONE));
    Path manifests = cluster.work().resolve("gitops.yaml");
    Files.writeString(manifests, asApplied(key) + "---\n" + asApplied(issuer));

    cluster.kubectlOk(
        "apply", "--server-side", "--field-manager=" + MANAGER, "-f", manifests.toString());
    String configSecret =
        key.getMetadata().getName() + ApiConstants.NAMESERVER_CONFIG_SECRET_SUFFIX;
    Secret config =
        cluster
            .await("the nameserver config grants the issuer's name")
            .until(
                () -> k8s.secrets().inNamespace(ns).withName(configSecret).get(),
                s ->
                    s != null
                        && RealCluster.decoded(s)
                            .getOrDefault(ApiConstants.NAMESERVER_CONFIG_UPDATE_POLICY, "")
                            .contains("_acme-challenge.gitops."));
    cluster.dns().trust(RealCluster.decoded(config), cluster.work());
    DnsUpdateIssuer ready =
        cluster
            .await("the applied issuer is Ready")
            .atMost(Duration.ofMinutes(3))
            .until(() -> k8s.resource(issuer).get(), i -> "True".equals(status(i, "Ready")));
    TsigKey keyBefore = k8s.resource(key).get();
    assertThat(status(keyBefore, "Ready")).isEqualTo("True");

    // the same file again, as the next sync would: nothing to change, nothing changed
    cluster.kubectlOk(
        "apply", "--server-side", "--field-manager=" + MANAGER, "-f", manifests.toString());
    CommandResult diff =
        cluster.kubectl(
            "diff", "--server-side", "--field-manager=" + MANAGER, "-f", manifests.toString());
    assertThat(diff.exitCode()).as("kubectl diff:%n%s", diff.output()).isZero();
    TsigKey keyAfter = k8s.resource(key).get();
    DnsUpdateIssuer issuerAfter = k8s.resource(issuer).get();
    assertUnchanged(keyBefore, keyAfter);
    assertUnchanged(ready, issuerAfter);
    for (HasMetadata o : List.of(keyAfter, issuerAfter)) {
      assertThat(specManagers(o.getMetadata().getManagedFields()))
          .as("who owns the spec of %s", o.getMetadata().getName())
          .containsExactly(MANAGER);
      assertThat(o.getMetadata().getFinalizers()).isNullOrEmpty();
    }

    // a TsigKey whose Secret name is taken by somebody else's Secret, an issuer without its key,
    // one whose nameserver is silent
    k8s.secrets()
        .inNamespace(ns)
        .resource(
            new io.fabric8.kubernetes.api.model.SecretBuilder()
                .withNewMetadata()
                .withName("taken-tsig")
                .withNamespace(ns)
                .endMetadata()
                .addToStringData("password", "not ours")
                .build())
        .create();
    TsigKey taken = ExampleResources.tsigKey(ns, null, null);
    taken.getMetadata().setName("taken");
    taken.getSpec().setKeyName(null);
    taken.getSpec().setSecretName("taken-tsig");
    k8s.resource(taken).create();
    DnsUpdateIssuer keyless = renamed(issuer, "keyless");
    keyless.getSpec().getTsigKeyRef().setName("not-there");
    k8s.resource(keyless).create();
    DnsUpdateIssuer silent = renamed(issuer, "silent");
    // nothing listens on port 1: every TCP probe is refused
    silent.getSpec().setNameservers(List.of("127.0.0.1:1"));
    silent.getSpec().getPropagation().setNameservers(List.of("127.0.0.1:1"));
    k8s.resource(silent).create();
    cluster
        .await("the TsigKey whose Secret is somebody else's is Stalled")
        .until(() -> k8s.resource(taken).get(), k -> "True".equals(status(k, "Stalled")));
    cluster
        .await("the issuer without its TsigKey is Reconciling")
        .until(() -> k8s.resource(keyless).get(), i -> "True".equals(status(i, "Reconciling")));
    DnsUpdateIssuer retrying =
        cluster
            .await("the silent nameserver's issuer is retried first")
            .until(
                () -> k8s.resource(silent).get(),
                i -> "NameserverUnreachable".equals(reason(i, "Ready")));
    assertThat(status(retrying, "Stalled")).isNotEqualTo("True");
    cluster
        .await("the silent nameserver's issuer is Stalled after the retry interval")
        .atMost(Duration.ofMinutes(2))
        .until(() -> k8s.resource(silent).get(), i -> "True".equals(status(i, "Stalled")));

    List<Map<String, Object>> cases = new ArrayList<>();
    cases.add(
        healthCase("TsigKey", ns, "example-com", "live", null, "Current", "Healthy", "Current"));
    cases.add(
        healthCase(
            "DnsUpdateIssuer", ns, "example-com", "live", null, "Current", "Healthy", "Current"));
    cases.add(
        healthCase(
            "DnsUpdateIssuer",
            ns,
            "example-com",
            "dryRunPatch",
            Map.of("spec", Map.of("ttl", 61)),
            "InProgress",
            "Progressing",
            "InProgress"));
    cases.add(
        healthCase(
            "TsigKey",
            ns,
            "example-com",
            "dryRunPatch",
            Map.of("spec", Map.of("rotation", Map.of("overlap", "23h"))),
            "InProgress",
            "Progressing",
            "InProgress"));
    cases.add(
        healthCase(
            "DnsUpdateIssuer",
            ns,
            "keyless",
            "live",
            null,
            "InProgress",
            "Progressing",
            "InProgress"));
    cases.add(
        healthCase("DnsUpdateIssuer", ns, "silent", "live", null, "Failed", "Degraded", "Failed"));
    cases.add(healthCase("TsigKey", ns, "taken", "live", null, "Failed", "Degraded", "Failed"));
    // kstatus reads a custom resource without status as Current: documented, and asserted so
    cases.add(
        healthCase(
            "DnsUpdateIssuer",
            ns,
            "example-com",
            "dryRunCreate",
            null,
            "Current",
            "Progressing",
            "Error"));
    runHealthChecks(cluster, cases, "health-cases.json");
  }

  /**
   * The grace period of an import on a real resource: the source Secret is deleted (as a
   * sealed-secrets or external-secrets refresh re-creates it), the TsigKey says so and stays Ready,
   * the webhook keeps solving challenges with the copied key through the real aggregator, and the
   * shipped health checks read the TsigKey as waiting (kstatus, Flux) or working (Argo CD), never
   * as failed, and the issuer as working.
   */
  @Test
  void anImportWhoseSourceIsBrieflyMissingKeepsWorkingAndNoToolCallsItFailed(RealCluster cluster)
      throws Exception {
    String ns = "gitops-grace";
    cluster.kubectlOk("create", "namespace", ns);
    KubernetesClient k8s = cluster.admin();
    Secret source =
        new io.fabric8.kubernetes.api.model.SecretBuilder()
            .withNewMetadata()
            .withName("bind-key")
            .withNamespace(ns)
            .endMetadata()
            .addToStringData("secret", TestKeys.ACME.secret())
            .build();
    k8s.resource(source).create();
    DnsUpdateIssuer issuer =
        ExampleResources.issuer(ns, cluster.dns().hostPort(), LocalNameserver.ZONE, List.of());
    TsigKey key = new TsigKey();
    key.getMetadata().setNamespace(ns);
    key.getMetadata().setName(issuer.getSpec().getTsigKeyRef().getName());
    TsigKeySpec spec = new TsigKeySpec();
    spec.setKeyName(TestKeys.ACME.name());
    spec.setImportFrom(new TsigKeySpec.ImportFrom("bind-key", null));
    key.setSpec(spec);
    k8s.resource(key).create();
    k8s.resource(issuer).create();
    String configSecret =
        key.getMetadata().getName() + ApiConstants.NAMESERVER_CONFIG_SECRET_SUFFIX;
    Secret config =
        cluster
            .await("the nameserver config of the imported key grants the issuer's name")
            .until(
                () -> k8s.secrets().inNamespace(ns).withName(configSecret).get(),
                s ->
                    s != null
                        && RealCluster.decoded(s)
                            .getOrDefault(ApiConstants.NAMESERVER_CONFIG_UPDATE_POLICY, "")
                            .contains("_acme-challenge." + LocalNameserver.ZONE));
    cluster.dns().trust(RealCluster.decoded(config), cluster.work());
    cluster
        .await("the issuer of the imported key is Ready")
        .atMost(Duration.ofMinutes(3))
        .until(() -> k8s.resource(issuer).get(), i -> "True".equals(status(i, "Ready")));

    k8s.resource(source).delete();
    TsigKey missing =
        cluster
            .await("the TsigKey reports its source missing within the grace period")
            .until(
                () -> k8s.resource(key).get(),
                k -> "ImportSecretMissing".equals(reason(k, "Ready")));
    assertThat(status(missing, "Ready")).isEqualTo("True");
    assertThat(status(missing, "Reconciling")).isEqualTo("True");
    assertThat(status(missing, "Stalled")).isNotEqualTo("True");
    assertThat(missing.getStatus().getImportSecretMissingSince()).isNotBlank();

    // cert-manager's calls still work: Present and CleanUp through the aggregator
    Path certManager =
        cluster
            .plane()
            .serviceAccountKubeconfig(
                RealCluster.CERT_MANAGER_NAMESPACE,
                "cert-manager",
                cluster.work().resolve("cm-grace.kc"));
    String fqdn = "_acme-challenge." + LocalNameserver.ZONE + ".";
    assertThat(solve(cluster, certManager, WebhookAggregationIT.payload(ns, "Present", "grace-1")))
        .contains("\"success\":true");
    assertThat(cluster.dns().named().txt(fqdn)).contains("grace-1");
    assertThat(solve(cluster, certManager, WebhookAggregationIT.payload(ns, "CleanUp", "grace-1")))
        .contains("\"success\":true");
    assertThat(cluster.dns().named().txt(fqdn)).doesNotContain("grace-1");
    DnsUpdateIssuer stillReady = k8s.resource(issuer).get();
    assertThat(status(stillReady, "Ready")).isEqualTo("True");
    assertThat(k8s.resource(key).get().getStatus().getConditions())
        .as("still within the grace period when the health checks read it")
        .anyMatch(c -> "Ready".equals(c.getType()) && "ImportSecretMissing".equals(c.getReason()));

    List<Map<String, Object>> cases = new ArrayList<>();
    // Ready=True (the copied key works) and Reconciling=True (the operator waits for the source)
    cases.add(
        healthCase(
            "TsigKey",
            ns,
            key.getMetadata().getName(),
            "live",
            null,
            "InProgress",
            "Healthy",
            "InProgress"));
    cases.add(
        healthCase(
            "DnsUpdateIssuer",
            ns,
            issuer.getMetadata().getName(),
            "live",
            null,
            "Current",
            "Healthy",
            "Current"));
    runHealthChecks(cluster, cases, "health-grace.json");
  }

  private static String solve(RealCluster cluster, Path kubeconfig, String json)
      throws java.io.IOException {
    Path body = Files.createTempFile(cluster.work(), "payload-", ".json");
    Files.writeString(body, json);
    CommandResult r =
        cluster
            .plane()
            .kubectlAs(
                kubeconfig,
                "create",
                "--raw",
                "/apis/acme.dnsupdate.io/v1alpha1/dnsupdate",
                "-f",
                body.toString());
    assertThat(r.ok()).as(r.output()).isTrue();
    return r.output();
  }

  /** Runs the Go tests of cluster/health on the cases and asserts that every case passed. */
  private static void runHealthChecks(
      RealCluster cluster, List<Map<String, Object>> cases, String file) throws Exception {
    Path casesFile = cluster.work().resolve(file);
    JSON.writeValue(casesFile.toFile(), cases);
    Map<String, String> env = new LinkedHashMap<>();
    env.put("HEALTH_KUBECONFIG", cluster.plane().adminKubeconfig().toString());
    env.put("HEALTH_CASES", casesFile.toString());
    long started = System.nanoTime();
    CommandResult go = goTest(RepositoryFiles.find("cluster/health"), env);
    System.out.printf(
        "go test cluster/health: %d ms%n%s%n",
        (System.nanoTime() - started) / 1_000_000, go.output());
    assertThat(go.exitCode()).as("go test in cluster/health:%n%s", go.output()).isZero();
    assertThat(go.output()).contains("--- PASS: TestShippedChecksOnRealResources");
  }

  /** What a user keeps in Git: apiVersion, kind, name, namespace and spec; no status. */
  private static String asApplied(HasMetadata o) throws Exception {
    ObjectNode tree = (ObjectNode) JSON.readTree(Serialization.asJson(o));
    ObjectNode out = JSON.createObjectNode();
    out.set("apiVersion", tree.get("apiVersion"));
    out.set("kind", tree.get("kind"));
    ObjectNode meta = out.putObject("metadata");
    meta.put("name", o.getMetadata().getName());
    meta.put("namespace", o.getMetadata().getNamespace());
    out.set("spec", tree.get("spec"));
    return YAML.writeValueAsString(out).replaceFirst("^---\n", "");
  }

  private static DnsUpdateIssuer renamed(DnsUpdateIssuer issuer, String name) {
    DnsUpdateIssuer copy = Serialization.clone(issuer);
    copy.getMetadata().setName(name);
    copy.getSpec().setDomains(List.of(name + "." + LocalNameserver.ZONE));
    return copy;
  }

  private static void assertUnchanged(HasMetadata before, HasMetadata after) {
    assertThat(after.getMetadata().getResourceVersion())
        .as("resourceVersion of %s after re-apply", before.getMetadata().getName())
        .isEqualTo(before.getMetadata().getResourceVersion());
    assertThat(after.getMetadata().getGeneration()).isEqualTo(before.getMetadata().getGeneration());
  }

  /** Managers of main-resource fields other than status: the applier only. */
  private static List<String> specManagers(List<ManagedFieldsEntry> fields) {
    return fields.stream()
        .filter(f -> f.getSubresource() == null || f.getSubresource().isEmpty())
        .filter(
            f ->
                f.getFieldsV1() != null
                    && f.getFieldsV1().getAdditionalProperties().containsKey("f:spec"))
        .map(ManagedFieldsEntry::getManager)
        .toList();
  }

  private static Map<String, Object> healthCase(
      String kind,
      String ns,
      String name,
      String variant,
      Object patch,
      String kstatus,
      String argo,
      String flux) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("kind", kind);
    c.put("namespace", ns);
    c.put("name", name);
    c.put("variant", variant);
    if (patch != null) {
      c.put("patch", patch);
    }
    c.put("kstatus", kstatus);
    c.put("argo", argo);
    c.put("flux", flux);
    return c;
  }

  private static String status(TsigKey k, String type) {
    return k == null || k.getStatus() == null
        ? null
        : condition(k.getStatus().getConditions(), type, true);
  }

  private static String status(DnsUpdateIssuer i, String type) {
    return i == null || i.getStatus() == null
        ? null
        : condition(i.getStatus().getConditions(), type, true);
  }

  private static String reason(TsigKey k, String type) {
    return k == null || k.getStatus() == null
        ? null
        : condition(k.getStatus().getConditions(), type, false);
  }

  private static String reason(DnsUpdateIssuer i, String type) {
    return i == null || i.getStatus() == null
        ? null
        : condition(i.getStatus().getConditions(), type, false);
  }

  private static String condition(
      List<io.fabric8.kubernetes.api.model.Condition> conditions, String type, boolean status) {
    return conditions.stream()
        .filter(c -> type.equals(c.getType()))
        .map(c -> status ? c.getStatus() : c.getReason())
        .findFirst()
        .orElse(null);
  }

  /** go test in the module; its build is cached in GOCACHE, so only a cold run compiles. */
  private static CommandResult goTest(Path module, Map<String, String> env) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
                ClusterBinaries.go(), "test", "-count=1", "-v", "-timeout", "5m", "./...")
            .directory(module.toFile())
            .redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (!p.waitFor(6, java.util.concurrent.TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("go test did not finish:\n" + out);
    }
    return new CommandResult(p.exitValue(), out);
  }
}
