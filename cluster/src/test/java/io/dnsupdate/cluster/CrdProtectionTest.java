package io.dnsupdate.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.dnsupdate.testkit.ClusterBinaries;
import io.dnsupdate.testkit.CommandResult;
import io.dnsupdate.testkit.Commands;
import io.dnsupdate.testkit.RepositoryFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/gitops/crds-kustomization.yaml, placed beside copies of crds/ as the docs say, renders with
 * kubectl's kustomize into the shipped CRDs plus Argo CD's and Flux's keep annotations, and
 * docs/gitops.md shows it verbatim.
 */
class CrdProtectionTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Map<String, String> KEEP =
      Map.of(
          "argocd.argoproj.io/sync-options", "Delete=false,Prune=false",
          "kustomize.toolkit.fluxcd.io/prune", "disabled");

  @Test
  void theKustomizationAddsOnlyTheKeepAnnotations(@TempDir Path dir) throws Exception {
    Path kustomization = RepositoryFiles.find("docs/gitops/crds-kustomization.yaml");
    Files.copy(kustomization, dir.resolve("kustomization.yaml"));
    Map<String, JsonNode> shipped = new HashMap<>();
    try (Stream<Path> files = Files.list(RepositoryFiles.find("crds"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yml")).toList()) {
        Files.copy(f, dir.resolve(f.getFileName()));
        JsonNode crd = YAML.readTree(f.toFile());
        shipped.put(crd.path("metadata").path("name").asText(), crd);
      }
    }

    CommandResult rendered =
        Commands.run(
            List.of(ClusterBinaries.get().kubectl().toString(), "kustomize", dir.toString()),
            null,
            Duration.ofSeconds(60));

    assertThat(rendered.exitCode()).as(rendered.output()).isZero();
    Map<String, JsonNode> out = new HashMap<>();
    for (String doc : Pattern.compile("(?m)^---\\s*$").split(rendered.output())) {
      if (!doc.isBlank()) {
        JsonNode crd = YAML.readTree(doc);
        out.put(crd.path("metadata").path("name").asText(), crd);
      }
    }
    assertThat(out.keySet()).containsExactlyInAnyOrderElementsOf(shipped.keySet());
    for (Map.Entry<String, JsonNode> e : out.entrySet()) {
      ObjectNode crd = (ObjectNode) e.getValue();
      ObjectNode metadata = (ObjectNode) crd.path("metadata");
      KEEP.forEach(
          (k, v) ->
              assertThat(metadata.path("annotations").path(k).asText())
                  .as(e.getKey() + " " + k)
                  .isEqualTo(v));
      ObjectNode annotations = (ObjectNode) metadata.path("annotations");
      annotations.remove(KEEP.keySet());
      if (annotations.isEmpty()) {
        metadata.remove("annotations");
      }
      // kustomize writes 65535.0 as 65535: numbers compare by value
      assertThat(crd.equals(CrdProtectionTest::sameValue, shipped.get(e.getKey())))
          .as("%s otherwise as shipped:%n%s", e.getKey(), rendered.output())
          .isTrue();
    }
  }

  private static int sameValue(JsonNode a, JsonNode b) {
    if (a.isNumber() && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue());
    }
    return a.equals(b) ? 0 : 1;
  }

  @Test
  void theGitOpsPageShowsTheFileVerbatim() throws Exception {
    String file = Files.readString(RepositoryFiles.find("docs/gitops/crds-kustomization.yaml"));
    String page = Files.readString(RepositoryFiles.find("docs/gitops.md"));

    assertThat(page).contains("```yaml\n" + file + "```");
  }
}
