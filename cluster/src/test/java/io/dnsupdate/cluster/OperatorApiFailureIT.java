package io.dnsupdate.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.api.TsigKey;
import io.dnsupdate.e2e.ExampleResources;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The packaged operator, with its ServiceAccount's token and the chart's RBAC enforced by the real
 * kube-apiserver, when its ClusterRole loses {@code create} on Secrets: the TsigKey says so in
 * Ready/Stalled and a Warning Event, and becomes Ready once the grant is back.
 */
@ExtendWith(RealCluster.Extension.class)
class OperatorApiFailureIT {

  @Test
  void aMissingSecretCreateGrantStallsTheTsigKeyAndItRecoversOnceGranted(RealCluster cluster)
      throws IOException {
    String ns = "operator-api-failure";
    cluster.kubectlOk("create", "namespace", ns);
    KubernetesClient k8s = cluster.admin();
    ClusterRole role = operatorRole(k8s);
    String user = operatorUser(k8s, role);
    List<PolicyRule> granted = role.getRules();
    TsigKey key = ExampleResources.tsigKey(ns, null, null);
    key.getSpec().setRotation(null);
    String name = key.getMetadata().getName();
    String secretName = key.getSpec().getSecretName();
    try {
      setRules(k8s, role, withoutSecretCreate(granted));
      cluster
          .await("RBAC denies the operator create on secrets in " + ns)
          .until(() -> !mayCreateSecrets(k8s, user, ns));

      k8s.resource(key).create();

      TsigKey stalled =
          cluster
              .await("the TsigKey reports the denied create")
              .until(() -> get(k8s, ns, name), k -> "ApiForbidden".equals(reason(k, "Ready")));
      Condition ready = condition(stalled, "Ready").orElseThrow();
      assertThat(ready.getStatus()).isEqualTo("False");
      assertThat(ready.getMessage())
          .startsWith(
              "create secrets '"
                  + secretName
                  + "' in namespace '"
                  + ns
                  + "': forbidden (HTTP 403): ")
          // the API server's own words name the ServiceAccount
          .contains(user)
          .contains(
              "Grant the operator's ServiceAccount 'create' on secrets (the core API group) in"
                  + " namespace '"
                  + ns
                  + "'");
      assertThat(condition(stalled, "Stalled").orElseThrow().getStatus()).isEqualTo("True");
      assertThat(reason(stalled, "Stalled")).isEqualTo("ApiForbidden");
      assertThat(stalled.getStatus().getObservedGeneration())
          .isEqualTo(stalled.getMetadata().getGeneration());
      Event warning =
          cluster
              .await("a Warning Event tells the denied create")
              .until(
                  () ->
                      k8s.v1().events().inNamespace(ns).list().getItems().stream()
                          .filter(e -> name.equals(e.getInvolvedObject().getName()))
                          .filter(e -> "ApiForbidden".equals(e.getReason()))
                          .findFirst(),
                  Optional::isPresent)
              .orElseThrow();
      assertThat(warning.getType()).isEqualTo("Warning");
      assertThat(warning.getMessage()).isEqualTo(ready.getMessage());
      assertThat(k8s.secrets().inNamespace(ns).withName(secretName).get()).isNull();
    } finally {
      setRules(k8s, role, granted);
    }
    cluster
        .await("RBAC allows the operator create on secrets in " + ns + " again")
        .until(() -> mayCreateSecrets(k8s, user, ns));

    // A grant sends no watch event, and this shared cluster's operator rechecks only every hour
    // (recheckInterval): an edit of the spec stands for "the next reconcile".
    TsigKey edited =
        k8s.resources(TsigKey.class)
            .inNamespace(ns)
            .withName(name)
            .edit(
                k -> {
                  // harmless with hmac-sha256; flipped, so that the spec really changes
                  k.getSpec()
                      .setAllowLegacyAlgorithm(
                          !Boolean.TRUE.equals(k.getSpec().getAllowLegacyAlgorithm()));
                  return k;
                });
    assertThat(edited.getMetadata().getGeneration()).isEqualTo(2L);
    TsigKey fixed =
        cluster
            .await("the TsigKey is Ready once the operator may create its Secret")
            .until(
                () -> get(k8s, ns, name),
                k ->
                    "True".equals(status(k, "Ready"))
                        && Objects.equals(
                            k.getStatus().getObservedGeneration(),
                            k.getMetadata().getGeneration()));
    assertThat(reason(fixed, "Ready")).isEqualTo("KeyReady");
    assertThat(status(fixed, "Stalled")).isEqualTo("False");
    assertThat(status(fixed, "Reconciling")).isEqualTo("False");
    assertThat(k8s.secrets().inNamespace(ns).withName(secretName).get()).isNotNull();
  }

  /**
   * The chart's ClusterRole of the operator: the one that lets it write Secrets and TsigKey status.
   */
  private static ClusterRole operatorRole(KubernetesClient k8s) {
    return k8s.rbac().clusterRoles().list().getItems().stream()
        .filter(
            r ->
                r.getRules() != null
                    && r.getRules().stream()
                        .anyMatch(
                            p ->
                                p.getResources() != null
                                    && p.getResources().contains("secrets")
                                    && p.getVerbs().contains("create"))
                    && r.getRules().stream()
                        .anyMatch(
                            p ->
                                p.getResources() != null
                                    && p.getResources().contains("tsigkeys/status")))
        .filter(r -> r.getMetadata().getName().startsWith(RealCluster.RELEASE))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no ClusterRole of the operator"));
  }

  /** The ServiceAccount user the role is bound to (the chart binds it cluster-wide). */
  private static String operatorUser(KubernetesClient k8s, ClusterRole role) {
    for (ClusterRoleBinding b : k8s.rbac().clusterRoleBindings().list().getItems()) {
      if (role.getMetadata().getName().equals(b.getRoleRef().getName())) {
        for (Subject s : b.getSubjects()) {
          if ("ServiceAccount".equals(s.getKind())) {
            return "system:serviceaccount:" + s.getNamespace() + ":" + s.getName();
          }
        }
      }
    }
    throw new AssertionError("no ClusterRoleBinding of " + role.getMetadata().getName());
  }

  private static List<PolicyRule> withoutSecretCreate(List<PolicyRule> rules) {
    List<PolicyRule> out = new ArrayList<>();
    for (PolicyRule r : rules) {
      if (r.getResources() != null && r.getResources().contains("secrets")) {
        List<String> verbs = new ArrayList<>(r.getVerbs());
        verbs.remove("create");
        out.add(new PolicyRuleBuilder(r).withVerbs(verbs).build());
      } else {
        out.add(r);
      }
    }
    return out;
  }

  private static void setRules(KubernetesClient k8s, ClusterRole role, List<PolicyRule> rules) {
    k8s.rbac()
        .clusterRoles()
        .withName(role.getMetadata().getName())
        .edit(
            r -> {
              r.setRules(rules);
              return r;
            });
  }

  private static boolean mayCreateSecrets(KubernetesClient k8s, String user, String ns) {
    SubjectAccessReview review =
        new SubjectAccessReviewBuilder()
            .withNewSpec()
            .withUser(user)
            .withGroups("system:serviceaccounts", "system:authenticated")
            .withNewResourceAttributes()
            .withNamespace(ns)
            .withVerb("create")
            .withResource("secrets")
            .endResourceAttributes()
            .endSpec()
            .build();
    return Boolean.TRUE.equals(
        k8s.authorization().v1().subjectAccessReview().create(review).getStatus().getAllowed());
  }

  private static TsigKey get(KubernetesClient k8s, String ns, String name) {
    return k8s.resources(TsigKey.class).inNamespace(ns).withName(name).get();
  }

  private static Optional<Condition> condition(TsigKey k, String type) {
    if (k == null || k.getStatus() == null || k.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    return k.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  private static String reason(TsigKey k, String type) {
    return condition(k, type).map(Condition::getReason).orElse(null);
  }

  private static String status(TsigKey k, String type) {
    return condition(k, type).map(Condition::getStatus).orElse(null);
  }
}
