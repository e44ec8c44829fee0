package io.dnsupdate.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** values.yaml is documented and values.schema.json rejects what the templates cannot use. */
class ValuesTest {

  /** Kubernetes objects passed through verbatim: documented as a whole, not field by field. */
  private static final Set<String> OPAQUE =
      Set.of("podSecurityContext", "containerSecurityContext", "resources");

  private static final Pattern KEY = Pattern.compile("^( *)([A-Za-z][\\w.-]*):.*$");

  @Test
  void everyValueHasACommentAbove() throws IOException {
    List<String> lines = Files.readAllLines(RenderedChart.CHART_DIR.resolve("values.yaml"));
    Deque<Map.Entry<Integer, String>> parents = new ArrayDeque<>();
    List<String> undocumented = new ArrayList<>();

    for (int i = 0; i < lines.size(); i++) {
      Matcher key = KEY.matcher(lines.get(i));
      if (!key.matches()) {
        continue;
      }
      int indent = key.group(1).length();
      while (!parents.isEmpty() && parents.peek().getKey() >= indent) {
        parents.pop();
      }
      boolean opaque = parents.stream().anyMatch(p -> OPAQUE.contains(p.getValue()));
      if (!opaque && (i == 0 || !lines.get(i - 1).trim().startsWith("#"))) {
        undocumented.add((i + 1) + ": " + lines.get(i).trim());
      }
      parents.push(Map.entry(indent, key.group(2)));
    }

    assertThat(undocumented).as("values without a comment line above them").isEmpty();
  }

  @Test
  void schemaDescribesEveryDefaultValue() throws IOException {
    JsonNode schema =
        new ObjectMapper().readTree(RenderedChart.CHART_DIR.resolve("values.schema.json").toFile());
    List<String> missing = new ArrayList<>();

    collectMissing(RenderedChart.effectiveValues(null), schema, "", missing);

    assertThat(schema.path("$schema").asText())
        .isEqualTo("http://json-schema.org/draft-07/schema#");
    assertThat(missing).as("values absent from values.schema.json").isEmpty();
  }

  private static void collectMissing(
      JsonNode value, JsonNode schema, String path, List<String> missing) {
    if (!value.isObject() || !schema.has("properties")) {
      return;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      JsonNode property = schema.path("properties").path(field.getKey());
      String child = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
      if (property.isMissingNode()) {
        missing.add(child);
      } else {
        if (!property.hasNonNull("description")) {
          missing.add(child + " (no description)");
        }
        collectMissing(field.getValue(), property, child, missing);
      }
    }
  }

  @ParameterizedTest(name = "{0}={1} is rejected")
  @CsvSource({
    "operatr.replicas, 2, operatr",
    "operator.replicas, -1, replicas",
    "webhook.replicas, 0, replicas",
    "webhook.image.pullPolicy, Sometimes, pullPolicy",
    "operator.logLevel, verbose, logLevel",
    "operator.recheckInterval, 1 minute, recheckInterval",
    "operator.probeInterval, 5min, probeInterval",
    "operator.retryInterval, 30 s, retryInterval",
    "operator.watchNamespaces[0], Team_A, watchNamespaces",
    "certManager.namespace, '', namespace",
    "webhook.tls.duration, 1year, duration",
  })
  void schemaRejectsInvalidValues(String key, String value, String mentioned) {
    assertThatThrownBy(() -> RenderedChart.template(null).set(key, value).call())
        .hasMessageContaining("values don't meet the specifications of the schema")
        .hasMessageContaining(mentioned);
  }

  @Test
  void severalOperatorsNeedLeaderElection() {
    assertThatThrownBy(
            () ->
                RenderedChart.template(null)
                    .set("operator.replicas", 2)
                    .set("operator.leaderElection.enabled", false)
                    .call())
        .hasMessageContaining("operator.replicas > 1 needs operator.leaderElection.enabled=true");
  }

  @Test
  void reusingAServiceAccountNeedsItsName() {
    assertThatThrownBy(
            () -> RenderedChart.template(null).set("webhook.serviceAccount.create", false).call())
        .hasMessageContaining("webhook.serviceAccount.name is required");
  }
}
