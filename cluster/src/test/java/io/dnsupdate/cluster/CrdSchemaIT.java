package io.dnsupdate.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.testkit.CommandResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Our CRDs as the real kube-apiserver enforces them: OpenAPI schema, patterns, enums and CEL rules
 * (which fabric8's mock does not evaluate), and the printer columns kubectl shows.
 */
@ExtendWith(RealCluster.Extension.class)
class CrdSchemaIT {
  private static final String NS = "crd-schema";
  private static RealCluster cluster;

  @BeforeAll
  static void namespace(RealCluster c) {
    cluster = c;
    c.kubectl("create", "namespace", NS);
  }

  @Test
  void bothCrdsAreEstablishedWithTheirShortNames() {
    assertThat(
            cluster.kubectlOk(
                "get",
                "crd",
                "tsigkeys.dnsupdate.io",
                "-o",
                "jsonpath={.status.conditions[?(@.type==\"Established\")].status}"))
        .isEqualTo("True");
    assertThat(cluster.kubectlOk("api-resources", "--api-group=dnsupdate.io", "--no-headers"))
        .contains("tsigkeys")
        .contains("tsig")
        .contains("dnsupdateissuers")
        .contains("dui")
        .contains("TsigKey")
        .contains("DnsUpdateIssuer");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          an unknown algorithm          | kind: TsigKey\\nspec:\\n  algorithm: hmac-sha3 | Unsupported value: "hmac-sha3"
          a legacy algorithm, not allowed | kind: TsigKey\\nspec:\\n  algorithm: hmac-md5 | hmac-sha1 and hmac-md5 are weak
          import and rotation together  | kind: TsigKey\\nspec:\\n  importFrom:\\n    secretName: k\\n  rotation:\\n    period: 720h | an imported key is never changed by the operator
          a key name with a space       | kind: TsigKey\\nspec:\\n  keyName: "a b." | spec.keyName
          a bad rotation period         | kind: TsigKey\\nspec:\\n  rotation:\\n    period: monthly | spec.rotation.period
          a domain with a bad label     | kind: DnsUpdateIssuer\\nspec:\\n  nameservers: [127.0.0.1:53]\\n  tsigKeyRef: {name: k}\\n  domains: ["-bad.example.test"] | spec.domains[0]
          no domains                    | kind: DnsUpdateIssuer\\nspec:\\n  nameservers: [127.0.0.1:53]\\n  tsigKeyRef: {name: k}\\n  domains: [] | spec.domains
          no nameservers                | kind: DnsUpdateIssuer\\nspec:\\n  nameservers: []\\n  tsigKeyRef: {name: k}\\n  domains: [example.test] | spec.nameservers
          an unknown transport          | kind: DnsUpdateIssuer\\nspec:\\n  nameservers: [127.0.0.1:53]\\n  tsigKeyRef: {name: k}\\n  domains: [example.test]\\n  transport: quic | Unsupported value: "quic"
          """)
  void invalidResourcesAreRejectedByTheApiServer(String what, String body, String message)
      throws IOException {
    String name = "bad-" + Math.abs(what.hashCode());
    Path file = Files.createTempFile(cluster.work(), "invalid-", ".yaml");
    Files.writeString(
        file,
        "apiVersion: dnsupdate.io/v1alpha1\nmetadata:\n  name: "
            + name
            + "\n"
            + body.replace("\\n", "\n")
            + "\n");

    CommandResult result = cluster.kubectl("apply", "-n", NS, "-f", file.toString());

    assertThat(result.exitCode()).as(what + ": " + result.output()).isNotZero();
    assertThat(result.output()).contains("is invalid").contains(message);
    String kind = body.startsWith("kind: TsigKey") ? "tsigkeys" : "dnsupdateissuers";
    assertThat(cluster.kubectl("get", kind, "-n", NS, name).output()).contains("NotFound");
  }

  @Test
  void printerColumnsShowInKubectlGet() throws IOException {
    Path file = Files.createTempFile(cluster.work(), "valid-", ".yaml");
    Files.writeString(
        file,
        """
        apiVersion: dnsupdate.io/v1alpha1
        kind: TsigKey
        metadata:
          name: columns
        spec:
          algorithm: hmac-sha512
        ---
        apiVersion: dnsupdate.io/v1alpha1
        kind: DnsUpdateIssuer
        metadata:
          name: columns
        spec:
          nameservers: ["127.0.0.1:1"]
          zone: example.test.
          tsigKeyRef: {name: columns}
          domains: [example.test]
        """);
    cluster.kubectlOk("apply", "-n", NS, "-f", file.toString());

    // the operator fills the status the columns read
    cluster
        .await("TsigKey columns reports its key name")
        .until(
            () -> cluster.kubectlOk("get", "tsigkeys", "-n", NS, "columns"),
            out -> out.contains("columns." + NS + ".dnsupdate.io."));
    String keys = cluster.kubectlOk("get", "tsigkeys", "-n", NS);
    assertThat(keys.lines().findFirst().orElseThrow().split("\\s+"))
        .containsExactly("NAME", "READY", "REASON", "KEYNAME", "ALGORITHM", "AGE");
    assertThat(keys).contains("hmac-sha512");
    String issuers = cluster.kubectlOk("get", "dui", "-n", NS);
    assertThat(issuers.lines().findFirst().orElseThrow().split("\\s+"))
        .containsExactly("NAME", "READY", "REASON", "ZONE", "PRIMARY", "AGE");
  }
}
