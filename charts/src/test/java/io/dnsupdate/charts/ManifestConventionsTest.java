package io.dnsupdate.charts;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Labels, namespaces and names every rendered object must carry. */
class ManifestConventionsTest {

  private static final List<String> REQUIRED_LABELS =
      List.of(
          "helm.sh/chart",
          "app.kubernetes.io/name",
          "app.kubernetes.io/instance",
          "app.kubernetes.io/component",
          "app.kubernetes.io/version",
          "app.kubernetes.io/managed-by",
          "app.kubernetes.io/part-of");

  private static final Set<String> CLUSTER_SCOPED =
      Set.of("ClusterRole", "ClusterRoleBinding", "APIService", "CustomResourceDefinition");

  private static List<HasMetadata> templated(RenderedChart chart) {
    // crds/ is copied verbatim by Helm, never templated: it carries the generator's labels only.
    return chart.objects().stream().filter(o -> !(o instanceof CustomResourceDefinition)).toList();
  }

  @ParameterizedTest
  @EnumSource(ValuesScenario.class)
  void everyObjectCarriesTheRecommendedLabels(ValuesScenario scenario) {
    RenderedChart chart = RenderedChart.of(scenario);

    assertThat(templated(chart))
        .isNotEmpty()
        .allSatisfy(
            o -> {
              assertThat(o.getMetadata().getLabels())
                  .as(Permissions.describe(o))
                  .containsKeys(REQUIRED_LABELS.toArray(String[]::new))
                  .containsEntry("app.kubernetes.io/instance", RenderedChart.RELEASE)
                  .containsEntry("app.kubernetes.io/managed-by", "Helm")
                  .containsEntry("app.kubernetes.io/version", "0.1.0");
              if (scenario == ValuesScenario.CUSTOM) {
                assertThat(o.getMetadata().getLabels()).containsEntry("team", "platform");
              }
            });
  }

  @ParameterizedTest
  @EnumSource(ValuesScenario.class)
  void podTemplatesCarryTheSelectorAndTheRecommendedLabels(ValuesScenario scenario) {
    for (Deployment deployment : RenderedChart.of(scenario).ofType(Deployment.class)) {
      assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
          .containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels())
          .containsKeys(REQUIRED_LABELS.toArray(String[]::new));
    }
  }

  @ParameterizedTest
  @EnumSource(ValuesScenario.class)
  void namespacedObjectsNameTheirNamespaceExplicitly(ValuesScenario scenario) {
    assertThat(templated(RenderedChart.of(scenario)))
        .allSatisfy(
            o -> {
              if (CLUSTER_SCOPED.contains(o.getKind())) {
                assertThat(o.getMetadata().getNamespace()).as(Permissions.describe(o)).isNull();
              } else {
                assertThat(o.getMetadata().getNamespace()).as(Permissions.describe(o)).isNotBlank();
              }
            });
  }

  @ParameterizedTest
  @EnumSource(ValuesScenario.class)
  void namesAreValidDnsLabelsAndUniquePerKind(ValuesScenario scenario) {
    List<HasMetadata> objects = templated(RenderedChart.of(scenario));

    assertThat(objects)
        .extracting(
            o ->
                o.getKind()
                    + "/"
                    + o.getMetadata().getNamespace()
                    + "/"
                    + o.getMetadata().getName())
        .doesNotHaveDuplicates();
    assertThat(objects)
        .filteredOn(o -> Set.of("Service", "Deployment").contains(o.getKind()))
        .allSatisfy(
            o -> assertThat(o.getMetadata().getName()).matches("[a-z]([-a-z0-9]{0,61}[a-z0-9])?"));
  }
}
