package io.dnsupdate.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.api.TsigKey;
import io.dnsupdate.api.TsigKeySpec;
import io.dnsupdate.testkit.TestKeys;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The key Secret's lifecycle on a real API server, with kube-controller-manager's garbage collector
 * and the packaged operator under its chart RBAC (the CRDs were installed alone, {@code kubectl
 * apply --server-side -f crds/}, before the chart): a retained key Secret outlives its TsigKey and
 * is taken over by the next one, a Secret applied by another tool is not adopted, and a watched
 * import source is followed with an overlap.
 */
@ExtendWith(RealCluster.Extension.class)
class KeyLifecycleIT {

  private static TsigKey key(String ns, String name, java.util.function.Consumer<TsigKeySpec> s) {
    TsigKey key = new TsigKey();
    key.getMetadata().setNamespace(ns);
    key.getMetadata().setName(name);
    TsigKeySpec spec = new TsigKeySpec();
    s.accept(spec);
    key.setSpec(spec);
    return key;
  }

  @Test
  void aRetainedKeySecretOutlivesItsTsigKeyAndIsTakenOverByTheNext(RealCluster cluster) {
    String ns = "retain";
    cluster.kubectlOk("create", "namespace", ns);
    KubernetesClient k8s = cluster.admin();
    TsigKey key = key(ns, "kept", s -> s.setSecretPolicy(TsigKeySpec.SecretPolicy.Retain));
    k8s.resource(key).create();
    TsigKey first =
        cluster
            .await("the retained TsigKey is Ready")
            .until(() -> k8s.resource(key).get(), k -> "True".equals(status(k, "Ready")));

    cluster.kubectlOk("delete", "tsigkey", "kept", "-n", ns, "--wait=true");
    // the garbage collector removes what the TsigKey owned...
    cluster
        .await("the owned nameserver-config Secret is garbage-collected")
        .until(
            () -> k8s.secrets().inNamespace(ns).withName("kept-nameserver-config").get() == null);
    // ...and leaves the retained key Secret
    Secret kept = k8s.secrets().inNamespace(ns).withName("kept-tsig").get();
    assertThat(kept).isNotNull();
    assertThat(kept.getMetadata().getOwnerReferences()).isNullOrEmpty();

    k8s.resource(key(ns, "kept", s -> s.setSecretPolicy(TsigKeySpec.SecretPolicy.Retain))).create();
    TsigKey second =
        cluster
            .await("the TsigKey that came back is Ready")
            .until(
                () -> k8s.resource(key).get(),
                k ->
                    !k.getMetadata().getUid().equals(first.getMetadata().getUid())
                        && "True".equals(status(k, "Ready")));
    assertThat(second.getStatus().getFingerprint()).isEqualTo(first.getStatus().getFingerprint());
  }

  @Test
  void aSecretAppliedByAnotherToolIsNotAdopted(RealCluster cluster) throws Exception {
    String ns = "applied";
    cluster.kubectlOk("create", "namespace", ns);
    KubernetesClient k8s = cluster.admin();
    // a Secret committed to Git with the operator's labels, applied as Flux would
    Path file = cluster.work().resolve("applied-secret.yaml");
    Files.writeString(
        file,
        String.join(
            "\n",
            "apiVersion: v1",
            "kind: Secret",
            "metadata:",
            "  name: web-tsig",
            "  namespace: " + ns,
            "  labels:",
            "    app.kubernetes.io/managed-by: dnsupdate-operator",
            "    dnsupdate.io/tsigkey: web",
            "stringData:",
            "  secret: from-git",
            ""));
    cluster.kubectlOk(
        "apply", "--server-side", "--field-manager=kustomize-controller", "-f", file.toString());
    String before =
        k8s.secrets().inNamespace(ns).withName("web-tsig").get().getMetadata().getResourceVersion();

    TsigKey web = key(ns, "web", s -> {});
    k8s.resource(web).create();
    TsigKey stalled =
        cluster
            .await("the TsigKey is Stalled on the applied Secret")
            .until(() -> k8s.resource(web).get(), k -> "True".equals(status(k, "Stalled")));

    assertThat(reason(stalled, "Ready")).isEqualTo("SecretConflict");
    assertThat(condition(stalled, "Ready").getMessage()).contains("kustomize-controller");
    assertThat(
            k8s.secrets()
                .inNamespace(ns)
                .withName("web-tsig")
                .get()
                .getMetadata()
                .getResourceVersion())
        .isEqualTo(before);
  }

  @Test
  void aWatchedImportSourceIsFollowedWithThePreviousKeyKept(RealCluster cluster) {
    String ns = "imported";
    cluster.kubectlOk("create", "namespace", ns);
    KubernetesClient k8s = cluster.admin();
    k8s.resource(source(ns, TestKeys.ACME.secret())).create();
    TsigKey acme =
        key(
            ns,
            "acme",
            s -> {
              s.setKeyName(TestKeys.ACME.name());
              s.setImportFrom(new TsigKeySpec.ImportFrom("bind-key", null));
            });
    k8s.resource(acme).create();
    cluster
        .await("the importing TsigKey is Ready")
        .until(() -> k8s.resource(acme).get(), k -> "True".equals(status(k, "Ready")));

    k8s.resource(source(ns, TestKeys.ADMIN.secret())).update();

    Secret copy =
        cluster
            .await("the changed key is copied, the previous one kept")
            .until(
                () -> k8s.secrets().inNamespace(ns).withName("acme-tsig").get(),
                s -> TestKeys.ADMIN.secret().equals(RealCluster.decoded(s).get("secret")));
    assertThat(RealCluster.decoded(copy).get("previousSecret")).isEqualTo(TestKeys.ACME.secret());
  }

  private static Secret source(String ns, String secret) {
    return new SecretBuilder()
        .withNewMetadata()
        .withName("bind-key")
        .withNamespace(ns)
        .endMetadata()
        .withStringData(Map.of("secret", secret))
        .build();
  }

  private static Condition condition(TsigKey k, String type) {
    if (k == null || k.getStatus() == null || k.getStatus().getConditions() == null) {
      return null;
    }
    return k.getStatus().getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst()
        .orElse(null);
  }

  private static String status(TsigKey k, String type) {
    Condition c = condition(k, type);
    return c == null ? null : c.getStatus();
  }

  private static String reason(TsigKey k, String type) {
    Condition c = condition(k, type);
    return c == null ? null : c.getReason();
  }
}
