package io.dnsupdate.charts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * NOTES.txt as `helm install` prints it: the steps in the order that works (the DnsUpdateIssuer
 * before the grants are read, since its domains are what they are made of), and a cert-manager
 * issuer that finds the example DnsUpdateIssuer.
 */
class NotesTest {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Path EXAMPLES = Paths.get("..", "examples");
  private static String notes;

  @BeforeAll
  static void install() {
    String output =
        new Helm(RenderedChart.CHART_DIR)
            .install()
            .withName(RenderedChart.RELEASE)
            .withNamespace(RenderedChart.NAMESPACE)
            .withKubeVersion(RenderedChart.KUBE_VERSION)
            .clientOnly()
            .dryRun()
            .call()
            .getOutput();
    assertThat(output).contains("NOTES:");
    notes = output.substring(output.indexOf("NOTES:"));
  }

  @Test
  void theIssuerComesBeforeTheGrantsAndReadyAfterThem() {
    int issuer = notes.indexOf("examples/dnsupdateissuer.yaml");
    int grants = notes.indexOf("{.data.update-policy}");
    int ready = notes.indexOf("kubectl wait --for=condition=Ready dnsupdateissuer/");

    assertThat(issuer).as("the DnsUpdateIssuer is created").isPositive();
    assertThat(grants)
        .as("the grants are read after the DnsUpdateIssuer exists")
        .isGreaterThan(issuer);
    assertThat(ready).as("Ready is awaited once the grants are loaded").isGreaterThan(grants);
    assertThat(notes).contains("within 30s");
  }

  @Test
  void theCertManagerIssuerFindsTheExampleDnsUpdateIssuer() throws IOException {
    JsonNode issuer = YAML.readTree(indentedBlock("apiVersion: cert-manager.io/v1"));
    JsonNode dnsUpdateIssuer = YAML.readTree(EXAMPLES.resolve("dnsupdateissuer.yaml").toFile());

    // a ClusterIssuer would look the DnsUpdateIssuer up in cert-manager's namespace instead
    assertThat(issuer.path("kind").asText()).isEqualTo("Issuer");
    assertThat(issuer.path("metadata").path("namespace").asText())
        .isEqualTo(dnsUpdateIssuer.path("metadata").path("namespace").asText());
    JsonNode webhook =
        issuer.path("spec").path("acme").path("solvers").get(0).path("dns01").path("webhook");
    assertThat(webhook.path("groupName").asText()).isEqualTo("acme.dnsupdate.io");
    assertThat(webhook.path("solverName").asText()).isEqualTo("dnsupdate");
    assertThat(webhook.path("config").path("issuer").asText())
        .isEqualTo(dnsUpdateIssuer.path("metadata").path("name").asText());
  }

  @Test
  void pointsAtTheHealthChecksTheChartShips() {
    for (String file : List.of("gitops/argocd-cm.yaml", "gitops/flux-kustomization.yaml")) {
      assertThat(notes).contains(file);
      assertThat(RenderedChart.CHART_DIR.resolve(file)).isRegularFile();
    }
  }

  /** The indented block of NOTES starting at the line {@code first}, dedented. */
  private static String indentedBlock(String first) {
    List<String> lines = notes.lines().toList();
    int start = 0;
    while (!lines.get(start).trim().equals(first)) {
      start++;
    }
    int indent = lines.get(start).indexOf(first);
    StringBuilder out = new StringBuilder();
    for (int i = start; i < lines.size() && !lines.get(i).isBlank(); i++) {
      out.append(lines.get(i).substring(indent)).append('\n');
    }
    return out.toString();
  }
}
