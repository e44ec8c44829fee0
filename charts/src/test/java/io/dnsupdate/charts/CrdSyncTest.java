package io.dnsupdate.charts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The chart ships the CRDs generated from the Java types (committed under crds/ at the root of the
 * repository) byte for byte. On drift: cp crds/*.yml charts/dnsupdate-operator/crds/
 */
class CrdSyncTest {

  static final Path GENERATED = Paths.get("..", "crds");
  static final Path CHART = RenderedChart.CHART_DIR.resolve("crds");
  static final List<String> EXPECTED =
      List.of("dnsupdateissuers.dnsupdate.io-v1.yml", "tsigkeys.dnsupdate.io-v1.yml");

  static List<String> yamlFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".yml") || n.endsWith(".yaml"))
          .sorted()
          .toList();
    }
  }

  @Test
  void bothDirectoriesHoldExactlyTheTwoCrds() throws IOException {
    assertThat(yamlFiles(GENERATED)).as("%s", GENERATED).containsExactlyElementsOf(EXPECTED);
    assertThat(yamlFiles(CHART)).as("%s", CHART).containsExactlyElementsOf(EXPECTED);
  }

  @Test
  void chartCrdsAreIdenticalToTheGeneratedOnes() throws IOException {
    for (String name : yamlFiles(GENERATED)) {
      assertThat(CHART.resolve(name))
          .as("charts/dnsupdate-operator/crds/%s differs from crds/%s", name, name)
          .hasSameBinaryContentAs(GENERATED.resolve(name));
    }
  }
}
