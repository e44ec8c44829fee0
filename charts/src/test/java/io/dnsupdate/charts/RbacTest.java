package io.dnsupdate.charts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dnsupdate.charts.Permissions.Grant;
import io.dnsupdate.charts.Permissions.Holdings;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Least privilege: every subject holds exactly what required-permissions.yaml lists, with no
 * wildcard and no Secret write or enumeration for the webhook.
 */
class RbacTest {

  private static final Set<String> WRITE_VERBS =
      Set.of("create", "update", "patch", "delete", "deletecollection");

  @ParameterizedTest
  @EnumSource(ValuesScenario.class)
  void operatorHoldsExactlyItsRequiredPermissions(ValuesScenario scenario) {
    assertExactHoldings(scenario, "operator");
  }

  @ParameterizedTest
  @EnumSource(ValuesScenario.class)
  void webhookHoldsExactlyItsRequiredPermissions(ValuesScenario scenario) {
    assertExactHoldings(scenario, "webhook");
  }

  @ParameterizedTest
  @EnumSource(ValuesScenario.class)
  void certManagerMayOnlyCallTheSolver(ValuesScenario scenario) {
    RenderedChart chart = RenderedChart.of(scenario);
    JsonNode certManager = chart.values().path("certManager");

    Holdings granted =
        Permissions.grantedTo(
            chart,
            certManager.path("namespace").asText(),
            certManager.path("serviceAccountName").asText());

    Holdings required = Permissions.requiredFor("cert-manager", chart.values());
    assertThat(granted.grants()).containsExactlyInAnyOrderElementsOf(required.grants());
    assertThat(granted.builtinRoles()).containsExactlyInAnyOrderElementsOf(required.builtinRoles());
  }

  @ParameterizedTest
  @EnumSource(ValuesScenario.class)
  void solverBindingNamesCertManagersServiceAccountFromValues(ValuesScenario scenario) {
    RenderedChart chart = RenderedChart.of(scenario);
    JsonNode certManager = chart.values().path("certManager");

    ClusterRoleBinding binding =
        chart.ofComponent(ClusterRoleBinding.class, "solver").stream().findFirst().orElseThrow();

    assertThat(binding.getSubjects())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.getKind()).isEqualTo("ServiceAccount");
              assertThat(s.getName()).isEqualTo(certManager.path("serviceAccountName").asText());
              assertThat(s.getNamespace()).isEqualTo(certManager.path("namespace").asText());
            });
    if (scenario == ValuesScenario.CUSTOM) {
      assertThat(binding.getSubjects().get(0).getName()).isEqualTo("cm-controller");
      assertThat(binding.getSubjects().get(0).getNamespace()).isEqualTo("security");
    }
  }

  @ParameterizedTest
  @EnumSource(ValuesScenario.class)
  void webhookNeverWritesListsOrWatchesSecrets(ValuesScenario scenario) {
    RenderedChart chart = RenderedChart.of(scenario);

    Set<Grant> onSecrets =
        Set.copyOf(
            webhookHoldings(chart).grants().stream()
                .filter(g -> g.apiGroup().isEmpty() && g.resource().startsWith("secrets"))
                .toList());

    assertThat(onSecrets).isNotEmpty().allSatisfy(g -> assertThat(g.verb()).isEqualTo("get"));
    assertThat(onSecrets)
        .noneMatch(g -> WRITE_VERBS.contains(g.verb()))
        .noneMatch(g -> g.verb().equals("list") || g.verb().equals("watch"));
  }

  @ParameterizedTest
  @EnumSource(ValuesScenario.class)
  void webhookReadsSecretsOnlyInTheWatchedNamespacesWhenThereIsAList(ValuesScenario scenario) {
    RenderedChart chart = RenderedChart.of(scenario);
    List<String> watched = new java.util.ArrayList<>();
    chart.values().path("operator").path("watchNamespaces").forEach(n -> watched.add(n.asText()));

    Set<String> where =
        Set.copyOf(
            webhookHoldings(chart).grants().stream()
                .filter(g -> g.apiGroup().isEmpty() && g.resource().equals("secrets"))
                .map(Grant::namespace)
                .toList());

    if (watched.isEmpty()) {
      assertThat(where).containsExactly(Permissions.CLUSTER);
    } else {
      assertThat(where).containsExactlyInAnyOrderElementsOf(watched);
    }
    if (scenario == ValuesScenario.CUSTOM) {
      assertThat(where).containsExactlyInAnyOrder("team-a", "team-b");
    }
  }

  @ParameterizedTest
  @EnumSource(ValuesScenario.class)
  void noRuleUsesWildcards(ValuesScenario scenario) {
    List<PolicyRule> rules = Permissions.allRules(RenderedChart.of(scenario));

    assertThat(rules)
        .isNotEmpty()
        .allSatisfy(
            rule -> {
              assertThat(rule.getVerbs()).doesNotContain("*").isNotEmpty();
              assertThat(rule.getResources()).noneMatch(r -> r.contains("*")).isNotEmpty();
              assertThat(rule.getApiGroups()).doesNotContain("*");
              assertThat(rule.getNonResourceURLs()).isNullOrEmpty();
            });
  }

  @ParameterizedTest
  @EnumSource(ValuesScenario.class)
  void everyBindingOfTheChartIsExplainedByRequiredPermissions(ValuesScenario scenario) {
    RenderedChart chart = RenderedChart.of(scenario);
    JsonNode certManager = chart.values().path("certManager");
    List<String> knownSubjects =
        List.of(
            RenderedChart.NAMESPACE + "/" + serviceAccountOf(chart, "operator"),
            RenderedChart.NAMESPACE + "/" + serviceAccountOf(chart, "webhook"),
            certManager.path("namespace").asText()
                + "/"
                + certManager.path("serviceAccountName").asText());

    List<Subject> subjects =
        chart.objects().stream()
            .flatMap(
                o ->
                    o instanceof ClusterRoleBinding crb
                        ? crb.getSubjects().stream()
                        : o instanceof RoleBinding rb ? rb.getSubjects().stream() : Stream.empty())
            .toList();

    assertThat(subjects)
        .isNotEmpty()
        .allSatisfy(s -> assertThat(knownSubjects).contains(s.getNamespace() + "/" + s.getName()));
  }

  @ParameterizedTest
  @EnumSource(ValuesScenario.class)
  void aggregatedRolesExtendViewEditAdminWithExactlyTheirRules(ValuesScenario scenario) {
    RenderedChart chart = RenderedChart.of(scenario);
    boolean enabled = chart.values().path("rbac").path("aggregateToDefaultRoles").asBoolean();

    for (String role : List.of("view", "edit", "admin")) {
      String label = "rbac.authorization.k8s.io/aggregate-to-" + role;
      List<ClusterRole> aggregated =
          chart.ofType(ClusterRole.class).stream()
              .filter(r -> "true".equals(r.getMetadata().getLabels().get(label)))
              .toList();
      if (!enabled) {
        assertThat(aggregated).as(role).isEmpty();
        continue;
      }
      assertThat(aggregated).as(role).hasSize(1);
      assertThat(Permissions.flatten(aggregated.get(0).getRules(), Permissions.CLUSTER))
          .as(role)
          .containsExactlyInAnyOrderElementsOf(Permissions.requiredAggregated(role));
    }
  }

  private static void assertExactHoldings(ValuesScenario scenario, String component) {
    RenderedChart chart = RenderedChart.of(scenario);
    Holdings granted =
        Permissions.grantedTo(chart, RenderedChart.NAMESPACE, serviceAccountOf(chart, component));
    Holdings required = Permissions.requiredFor(component, chart.values());

    assertThat(granted.grants())
        .as("%s grants (missing or extra ones vs required-permissions.yaml)", component)
        .containsExactlyInAnyOrderElementsOf(required.grants());
    assertThat(granted.builtinRoles())
        .as("%s built-in roles", component)
        .containsExactlyInAnyOrderElementsOf(required.builtinRoles());
  }

  private static Holdings webhookHoldings(RenderedChart chart) {
    return Permissions.grantedTo(
        chart, RenderedChart.NAMESPACE, serviceAccountOf(chart, "webhook"));
  }

  private static String serviceAccountOf(RenderedChart chart, String component) {
    Deployment deployment = chart.deployment(component);
    return deployment.getSpec().getTemplate().getSpec().getServiceAccountName();
  }
}
