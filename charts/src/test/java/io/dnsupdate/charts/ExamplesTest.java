package io.dnsupdate.charts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * examples/ stays usable: the custom resources fit the CRD schemas the chart ships, the
 * cert-manager objects point at them, and the BIND snippet grants exactly the example key's
 * challenge name.
 */
class ExamplesTest {

  private static final Path EXAMPLES = Paths.get("..", "examples");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static JsonNode example(String file) throws IOException {
    return YAML.readTree(EXAMPLES.resolve(file).toFile());
  }

  private static JsonNode crdSchema(String file) throws IOException {
    JsonNode crd = YAML.readTree(CrdSyncTest.CHART.resolve(file).toFile());
    return crd.path("spec").path("versions").get(0).path("schema").path("openAPIV3Schema");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "tsigkey.yaml:tsigkeys.dnsupdate.io-v1.yml",
        "dnsupdateissuer.yaml:dnsupdateissuers.dnsupdate.io-v1.yml",
        "dnsupdateissuer-kerberos.yaml:dnsupdateissuers.dnsupdate.io-v1.yml"
      })
  void customResourcesFitTheShippedCrdSchema(String pair) throws IOException {
    String[] files = pair.split(":");
    JsonNode resource = example(files[0]);
    JsonNode schema = crdSchema(files[1]);
    JsonNode crd = YAML.readTree(CrdSyncTest.CHART.resolve(files[1]).toFile());
    List<String> problems = new ArrayList<>();

    validate(resource.path("spec"), schema.path("properties").path("spec"), "spec", problems);

    assertThat(resource.path("apiVersion").asText())
        .isEqualTo(
            crd.path("spec").path("group").asText()
                + "/"
                + crd.path("spec").path("versions").get(0).path("name").asText());
    assertThat(resource.path("kind").asText())
        .isEqualTo(crd.path("spec").path("names").path("kind").asText());
    assertThat(problems).isEmpty();
  }

  /** The parts of OpenAPI v3 structural schemas the examples can get wrong. */
  private static void validate(JsonNode value, JsonNode schema, String path, List<String> out) {
    String type = schema.path("type").asText();
    switch (type) {
      case "object" -> {
        if (!value.isObject()) {
          out.add(path + ": not an object");
          return;
        }
        for (JsonNode required : schema.path("required")) {
          if (!value.has(required.asText())) {
            out.add(path + "." + required.asText() + ": required");
          }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> field = it.next();
          JsonNode property = schema.path("properties").path(field.getKey());
          if (property.isMissingNode()) {
            out.add(path + "." + field.getKey() + ": unknown field");
          } else {
            validate(field.getValue(), property, path + "." + field.getKey(), out);
          }
        }
      }
      case "array" -> {
        if (!value.isArray()) {
          out.add(path + ": not an array");
          return;
        }
        if (schema.has("minItems") && value.size() < schema.path("minItems").asInt()) {
          out.add(path + ": fewer than minItems");
        }
        for (int i = 0; i < value.size(); i++) {
          validate(value.get(i), schema.path("items"), path + "[" + i + "]", out);
        }
      }
      case "string" -> {
        if (!value.isTextual()) {
          out.add(path + ": not a string");
          return;
        }
        if (schema.has("enum")) {
          List<String> allowed = new ArrayList<>();
          schema.path("enum").forEach(e -> allowed.add(e.asText()));
          if (!allowed.contains(value.asText())) {
            out.add(path + ": not one of " + allowed);
          }
        }
        if (schema.has("pattern")) {
          try {
            if (!Pattern.compile(schema.path("pattern").asText()).matcher(value.asText()).find()) {
              out.add(path + ": does not match " + schema.path("pattern").asText());
            }
          } catch (PatternSyntaxException e) {
            // an ECMA-only construct: leave it to kube-apiserver
          }
        }
      }
      case "integer" -> {
        if (!value.isIntegralNumber()) {
          out.add(path + ": not an integer");
        }
      }
      case "boolean" -> {
        if (!value.isBoolean()) {
          out.add(path + ": not a boolean");
        }
      }
      default -> {
        // x-kubernetes-int-or-string and friends: nothing to check here
      }
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "team-folder/tsigkey.yaml:tsigkeys.dnsupdate.io-v1.yml",
        "team-folder/dnsupdateissuer.yaml:dnsupdateissuers.dnsupdate.io-v1.yml"
      })
  void theTeamFolderFitsTheShippedCrdSchema(String pair) throws IOException {
    customResourcesFitTheShippedCrdSchema(pair);
  }

  /**
   * The team folder is one namespace's chain: Certificate -> Issuer -> DnsUpdateIssuer -> TsigKey,
   * each in the kustomization, all in the kustomization's namespace, none cluster-scoped.
   */
  @Test
  void theTeamFolderIsOneNamespacesChainOfReferences() throws IOException {
    JsonNode kustomization = example("team-folder/kustomization.yaml");
    String ns = kustomization.path("namespace").asText();
    List<String> files = new ArrayList<>();
    kustomization.path("resources").forEach(r -> files.add(r.asText()));
    assertThat(files)
        .containsExactlyInAnyOrder(
            "tsigkey.yaml", "dnsupdateissuer.yaml", "issuer.yaml", "certificate.yaml");
    Map<String, JsonNode> byKind = new java.util.HashMap<>();
    for (String f : files) {
      JsonNode o = example("team-folder/" + f);
      assertThat(o.path("metadata").path("namespace").asText()).as(f).isEqualTo(ns);
      byKind.put(o.path("kind").asText(), o);
    }
    assertThat(byKind).containsOnlyKeys("TsigKey", "DnsUpdateIssuer", "Issuer", "Certificate");
    JsonNode key = byKind.get("TsigKey");
    JsonNode issuer = byKind.get("DnsUpdateIssuer");
    JsonNode acme = byKind.get("Issuer");
    JsonNode certificate = byKind.get("Certificate");

    assertThat(key.path("spec").path("secretPolicy").asText()).isEqualTo("Retain");
    assertThat(issuer.path("spec").path("tsigKeyRef").path("name").asText()).isEqualTo(name(key));
    assertThat(issuer.path("spec").path("requireLimitedKey").asBoolean()).isTrue();
    JsonNode webhook =
        acme.path("spec").path("acme").path("solvers").get(0).path("dns01").path("webhook");
    assertThat(webhook.path("groupName").asText()).isEqualTo("acme.dnsupdate.io");
    assertThat(webhook.path("solverName").asText()).isEqualTo("dnsupdate");
    assertThat(webhook.path("config").path("issuer").asText()).isEqualTo(name(issuer));
    assertThat(certificate.path("spec").path("issuerRef").path("kind").asText())
        .isEqualTo("Issuer");
    assertThat(certificate.path("spec").path("issuerRef").path("name").asText())
        .isEqualTo(name(acme));
    // every name of the certificate is validated at a challenge name the issuer's domains grant
    List<String> domains = new ArrayList<>();
    issuer.path("spec").path("domains").forEach(d -> domains.add(d.asText()));
    certificate
        .path("spec")
        .path("dnsNames")
        .forEach(n -> assertThat(domains).contains(n.asText().replaceFirst("^\\*\\.", "")));
  }

  private static String name(JsonNode o) {
    return o.path("metadata").path("name").asText();
  }

  @Test
  void dnsUpdateIssuerUsesTheExampleKeyInItsNamespace() throws IOException {
    JsonNode key = example("tsigkey.yaml");
    JsonNode issuer = example("dnsupdateissuer.yaml");

    assertThat(issuer.path("spec").path("tsigKeyRef").path("name").asText())
        .isEqualTo(key.path("metadata").path("name").asText());
    assertThat(issuer.path("metadata").path("namespace").asText())
        .isEqualTo(key.path("metadata").path("namespace").asText());
    assertThat(key.path("spec").path("rotation").path("period").asText()).isEqualTo("720h");
    assertThat(key.path("spec").path("rotation").path("overlap").asText()).isEqualTo("24h");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"issuer-letsencrypt-staging.yaml", "clusterissuer-letsencrypt-staging.yaml"})
  void certManagerIssuersCallTheSolverWithTheExampleIssuer(String file) throws IOException {
    JsonNode webhook =
        example(file)
            .path("spec")
            .path("acme")
            .path("solvers")
            .get(0)
            .path("dns01")
            .path("webhook");

    assertThat(webhook.path("groupName").asText()).isEqualTo("acme.dnsupdate.io");
    assertThat(webhook.path("solverName").asText()).isEqualTo("dnsupdate");
    assertThat(webhook.path("config").path("issuer").asText())
        .isEqualTo(example("dnsupdateissuer.yaml").path("metadata").path("name").asText());
  }

  @Test
  void wildcardCertificateCoversApexAndWildcardThroughAnExampleIssuer() throws IOException {
    JsonNode certificate = example("certificate-wildcard.yaml");
    JsonNode issuer = example("issuer-letsencrypt-staging.yaml");

    assertThat(certificate.path("spec").path("dnsNames"))
        .extracting(JsonNode::asText)
        .containsExactly("example.com", "*.example.com");
    assertThat(certificate.path("spec").path("issuerRef").path("name").asText())
        .isEqualTo(issuer.path("metadata").path("name").asText());
    assertThat(certificate.path("metadata").path("namespace").asText())
        .isEqualTo(issuer.path("metadata").path("namespace").asText());
  }

  @Test
  void bindSnippetGrantsOnlyTheChallengeNameToTheExampleKey() throws IOException {
    String keyName = example("tsigkey.yaml").path("spec").path("keyName").asText();
    List<String> statements;
    try (Stream<String> lines = Files.lines(EXAMPLES.resolve("bind/named.conf.snippet"))) {
      statements =
          lines.map(l -> l.replaceAll("//.*$", "").trim()).filter(l -> !l.isEmpty()).toList();
    }

    assertThat(statements).anyMatch(l -> l.startsWith("include \"") && l.endsWith(".key.conf\";"));
    assertThat(statements.stream().filter(l -> l.startsWith("grant ")))
        .containsExactly("grant " + keyName + " name _acme-challenge.example.com. TXT;");
    assertThat(statements).noneMatch(l -> l.contains("wildcard") || l.contains("subdomain"));
  }

  @Test
  void everyExampleFileIsCoveredHere() throws IOException {
    try (Stream<Path> files = Files.walk(EXAMPLES)) {
      assertThat(files.filter(Files::isRegularFile).map(p -> EXAMPLES.relativize(p).toString()))
          .containsExactlyInAnyOrder(
              "tsigkey.yaml",
              "dnsupdateissuer.yaml",
              "dnsupdateissuer-kerberos.yaml",
              "issuer-letsencrypt-staging.yaml",
              "clusterissuer-letsencrypt-staging.yaml",
              "certificate-wildcard.yaml",
              "bind/named.conf.snippet",
              "team-folder/kustomization.yaml",
              "team-folder/tsigkey.yaml",
              "team-folder/dnsupdateissuer.yaml",
              "team-folder/issuer.yaml",
              "team-folder/certificate.yaml");
    }
  }
}
