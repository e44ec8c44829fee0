package io.dnsupdate.charts;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * operator/Dockerfile and webhook/Dockerfile agree with the chart and with the jar layout of
 * CONTRACTS.md (no Docker engine here: this reads the files).
 */
class ImageDefinitionTest {

  private static List<String> dockerfile(String component) throws IOException {
    Path file = Paths.get("..", component, "Dockerfile");
    return Files.readAllLines(file).stream()
        .map(String::trim)
        .filter(l -> !l.isEmpty() && !l.startsWith("#"))
        .toList();
  }

  @ParameterizedTest
  @ValueSource(strings = {"operator", "webhook"})
  void buildsTheModuleAndRunsItsJarAsTheChartsNonRootUser(String component) throws IOException {
    List<String> lines = dockerfile(component);
    String jar = "dnsupdate-" + component + ".jar";
    Container container =
        RenderedChart.of(ValuesScenario.DEFAULTS)
            .deployment(component)
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0);

    assertThat(lines.get(0)).startsWith("FROM maven:3.9-eclipse-temurin-17 AS build");
    assertThat(lines)
        .anyMatch(l -> l.contains("mvn -B") && l.contains("-pl " + component + " -am package"))
        .anyMatch(l -> l.contains("/src/" + component + "/target/" + jar))
        .anyMatch(l -> l.contains("/src/" + component + "/target/lib/ /app/lib/"))
        .contains("USER 65532:65532")
        // the measured JVM flags every test starts the jar with (testkit's PackagedJar)
        .contains("COPY --chown=0:0 " + component + "/jvm.options /app/jvm.options")
        .contains("ENV JDK_JAVA_OPTIONS=\"@/app/jvm.options\"")
        .last()
        .isEqualTo("ENTRYPOINT [\"java\",\"-jar\",\"/app/" + jar + "\"]");
    assertThat(lines.stream().filter(l -> l.startsWith("FROM ")).skip(1))
        .singleElement()
        .satisfies(l -> assertThat(l).startsWith("FROM eclipse-temurin:17-jre"));
    assertThat(lines).contains("EXPOSE " + container.getPorts().get(0).getContainerPort());
    assertThat(container.getSecurityContext().getRunAsUser()).isEqualTo(65532L);
  }
}
