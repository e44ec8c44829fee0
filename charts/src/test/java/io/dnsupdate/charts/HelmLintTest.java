package io.dnsupdate.charts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** `helm lint --strict` and `helm template` succeed offline, with default and other values. */
class HelmLintTest {

  @TempDir Path temp;

  /**
   * helm-java's lint takes no values file, so each scenario lints a copy of the chart whose
   * values.yaml holds the scenario's effective values.
   */
  @ParameterizedTest
  @EnumSource(ValuesScenario.class)
  void lintPassesStrictly(ValuesScenario scenario) throws IOException {
    Path chart = RenderedChart.CHART_DIR;
    if (scenario.valuesFile() != null) {
      chart = copyOfChart(temp.resolve(RenderedChart.CHART_DIR.getFileName()));
      new ObjectMapper(new YAMLFactory())
          .writeValue(
              chart.resolve("values.yaml").toFile(),
              RenderedChart.effectiveValues(scenario.valuesFile()));
    }

    LintResult result = new Helm(chart).lint().strict().call();

    assertThat(result.isFailed()).as("lint messages: %s", result.getMessages()).isFalse();
  }

  @ParameterizedTest
  @EnumSource(ValuesScenario.class)
  void templateRendersEveryScenario(ValuesScenario scenario) {
    RenderedChart chart = RenderedChart.of(scenario);

    assertThat(chart.objects())
        .extracting(o -> o.getKind() + "/" + o.getMetadata().getName())
        .contains(
            "Deployment/dnsupdate-dnsupdate-operator",
            "Deployment/dnsupdate-dnsupdate-operator-webhook",
            "Service/dnsupdate-dnsupdate-operator-webhook",
            "APIService/v1alpha1.acme.dnsupdate.io");
  }

  private static Path copyOfChart(Path target) throws IOException {
    try (Stream<Path> files = Files.walk(RenderedChart.CHART_DIR)) {
      for (Path source : files.toList()) {
        Path copy = target.resolve(RenderedChart.CHART_DIR.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(copy);
        } else {
          Files.copy(source, copy);
        }
      }
    }
    return target;
  }
}
