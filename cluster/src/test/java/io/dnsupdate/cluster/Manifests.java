package io.dnsupdate.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/** Kubernetes objects as a chart renders them (helm-java, offline `helm template`). */
record Manifests(List<JsonNode> objects) {
  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory()).disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
  static final String COMPONENT = "app.kubernetes.io/component";

  /** Renders the chart with the values (written to a file: helm-java's typed setters vary). */
  static Manifests render(
      Path chartDir, String release, String namespace, Map<String, Object> values, Path work) {
    try {
      Path valuesFile = Files.createTempFile(work, release + "-values-", ".yaml");
      YAML.writeValue(valuesFile.toFile(), values);
      String text =
          new Helm(chartDir)
              .template()
              .withName(release)
              .withNamespace(namespace)
              .withKubeVersion(RealCluster.KUBE_VERSION)
              .withValuesFile(valuesFile)
              .call();
      List<JsonNode> objects = new ArrayList<>();
      try (var parser = YAML.getFactory().createParser(text)) {
        for (var it = YAML.readValues(parser, JsonNode.class); it.hasNext(); ) {
          JsonNode doc = it.next();
          if (doc != null && doc.hasNonNull("kind")) {
            objects.add(doc);
          }
        }
      }
      return new Manifests(objects);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Manifests filter(Predicate<JsonNode> keep) {
    return new Manifests(objects.stream().filter(keep).toList());
  }

  static Predicate<JsonNode> kind(String... kinds) {
    return o -> List.of(kinds).contains(o.path("kind").asText());
  }

  static Predicate<JsonNode> component(String component) {
    return o -> component.equals(o.path("metadata").path("labels").path(COMPONENT).asText());
  }

  /** The one object of this kind and component. */
  JsonNode one(String kind, String component) {
    List<JsonNode> found = filter(kind(kind).and(component(component))).objects();
    if (found.size() != 1) {
      throw new IllegalStateException(
          found.size() + " " + kind + " objects of component " + component + " rendered");
    }
    return found.get(0);
  }

  /** The environment the chart gives a component's container (literal values only). */
  Map<String, String> literalEnv(String component) {
    Map<String, String> env = new HashMap<>();
    JsonNode container =
        one("Deployment", component)
            .path("spec")
            .path("template")
            .path("spec")
            .path("containers")
            .get(0);
    for (JsonNode e : container.path("env")) {
      if (e.has("value")) {
        env.put(e.path("name").asText(), e.path("value").asText());
      }
    }
    return env;
  }

  Optional<JsonNode> find(String kind, String name) {
    return objects.stream()
        .filter(kind(kind))
        .filter(o -> name.equals(o.path("metadata").path("name").asText()))
        .findFirst();
  }

  /** Writes them as one multi-document YAML file, for kubectl apply -f. */
  Path write(Path file) {
    StringBuilder out = new StringBuilder();
    try {
      for (JsonNode o : objects) {
        out.append("---\n").append(YAML.writeValueAsString(o).replaceFirst("^---\n", ""));
      }
      Files.writeString(file, out.toString());
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
