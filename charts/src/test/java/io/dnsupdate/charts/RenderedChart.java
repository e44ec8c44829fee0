package io.dnsupdate.charts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.regex.Pattern;

/** The chart rendered by helm-java (offline `helm template`) and parsed into fabric8 objects. */
final class RenderedChart {
  static final Path CHART_DIR = Paths.get("dnsupdate-operator");
  static final String RELEASE = "dnsupdate";
  static final String NAMESPACE = "dnsupdate-system";
  static final String COMPONENT_LABEL = "app.kubernetes.io/component";

  /** Helm's offline default (1.20) is below the chart's kubeVersion constraint. */
  static final String KUBE_VERSION = "1.30.0";

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");
  private static final Map<ValuesScenario, RenderedChart> CACHE =
      Collections.synchronizedMap(new EnumMap<>(ValuesScenario.class));

  private final String manifest;
  private final List<HasMetadata> objects;
  private final JsonNode values;

  private RenderedChart(String manifest, List<HasMetadata> objects, JsonNode values) {
    this.manifest = manifest;
    this.objects = List.copyOf(objects);
    this.values = values;
  }

  /**
   * Renders once per scenario; the objects are shared, so tests must not modify them. The manifest
   * is also written to target/rendered/ for people reading a failure.
   */
  static RenderedChart of(ValuesScenario scenario) {
    return CACHE.computeIfAbsent(
        scenario,
        s -> {
          RenderedChart chart = render(template(s.valuesFile()), s.valuesFile());
          try {
            Path out = Paths.get("target", "rendered", s.name().toLowerCase() + ".yaml");
            Files.createDirectories(out.getParent());
            Files.writeString(out, chart.manifest());
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          return chart;
        });
  }

  /** A `helm template` command for this chart, release and namespace with the given values. */
  static TemplateCommand template(Path valuesFile) {
    TemplateCommand command =
        new Helm(CHART_DIR)
            .template()
            .withName(RELEASE)
            .withNamespace(NAMESPACE)
            .withKubeVersion(KUBE_VERSION);
    return valuesFile == null ? command : command.withValuesFile(valuesFile);
  }

  static RenderedChart render(TemplateCommand command, Path valuesFile) {
    String manifest = command.call();
    return new RenderedChart(manifest, parse(manifest), effectiveValues(valuesFile));
  }

  /** Splits a multi-document manifest and unmarshals each object; unknown kinds stay generic. */
  static List<HasMetadata> parse(String manifest) {
    List<HasMetadata> parsed = new ArrayList<>();
    for (String document : DOCUMENT_SEPARATOR.split(manifest)) {
      if (document.lines().allMatch(l -> l.isBlank() || l.trim().startsWith("#"))) {
        continue;
      }
      Object object = Serialization.unmarshal(document);
      if (!(object instanceof HasMetadata)) {
        throw new IllegalStateException("not a Kubernetes object: " + document);
      }
      parsed.add((HasMetadata) object);
    }
    return parsed;
  }

  /** values.yaml with the scenario's file merged over it, the way Helm coalesces them. */
  static JsonNode effectiveValues(Path valuesFile) {
    try {
      ObjectNode base = (ObjectNode) YAML.readTree(CHART_DIR.resolve("values.yaml").toFile());
      if (valuesFile != null) {
        merge(base, YAML.readTree(valuesFile.toFile()));
      }
      return base;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void merge(ObjectNode target, JsonNode override) {
    for (Iterator<Map.Entry<String, JsonNode>> it = override.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      JsonNode existing = target.get(field.getKey());
      if (existing instanceof ObjectNode && field.getValue().isObject()) {
        merge((ObjectNode) existing, field.getValue());
      } else {
        target.set(field.getKey(), field.getValue());
      }
    }
  }

  String manifest() {
    return manifest;
  }

  List<HasMetadata> objects() {
    return objects;
  }

  JsonNode values() {
    return values;
  }

  <T extends HasMetadata> List<T> ofType(Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  List<GenericKubernetesResource> generic(String apiVersion, String kind) {
    return ofType(GenericKubernetesResource.class).stream()
        .filter(o -> apiVersion.equals(o.getApiVersion()) && kind.equals(o.getKind()))
        .toList();
  }

  <T extends HasMetadata> List<T> ofComponent(Class<T> type, String component) {
    return ofType(type).stream()
        .filter(o -> component.equals(o.getMetadata().getLabels().get(COMPONENT_LABEL)))
        .toList();
  }

  Deployment deployment(String component) {
    List<Deployment> found = ofComponent(Deployment.class, component);
    if (found.size() != 1) {
      throw new NoSuchElementException(found.size() + " Deployments of component " + component);
    }
    return found.get(0);
  }
}
