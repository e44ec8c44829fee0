package io.dnsupdate.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The CRDs committed under {@code crds/} must be exactly what the build generates from the Java
 * types, and the generated schema must carry what users rely on.
 */
class CrdDriftTest {
  static final String FIX = "run: cp core/target/classes/META-INF/fabric8/*-v1.yml crds/";

  static final Path GENERATED =
      Path.of(System.getProperty("dnsupdate.generatedCrdDir", "target/classes/META-INF/fabric8"));
  static final Path COMMITTED = Path.of(System.getProperty("dnsupdate.committedCrdDir", "../crds"));

  static final String TSIG_KEYS = "tsigkeys.dnsupdate.io-v1.yml";
  static final String ISSUERS = "dnsupdateissuers.dnsupdate.io-v1.yml";

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  static TreeSet<String> v1Files(Path dir) throws IOException {
    TreeSet<String> names = new TreeSet<>();
    if (Files.isDirectory(dir)) {
      try (Stream<Path> files = Files.list(dir)) {
        files
            .map(p -> p.getFileName().toString())
            .filter(n -> n.endsWith("-v1.yml"))
            .forEach(names::add);
      }
    }
    return names;
  }

  static String read(Path file) throws IOException {
    return Files.readString(file).replace("\r\n", "\n");
  }

  @Test
  void committedCrdsMatchTheGeneratedOnes() throws IOException {
    TreeSet<String> generated = v1Files(GENERATED);
    if (generated.isEmpty()) {
      fail(
          "no CRD was generated in "
              + GENERATED.toAbsolutePath()
              + ": build with Maven (the crd-generator-maven-plugin runs in process-classes)");
    }
    assertThat(generated).contains(TSIG_KEYS, ISSUERS);
    List<String> drift = new ArrayList<>();
    for (String name : generated) {
      Path committed = COMMITTED.resolve(name);
      if (!Files.exists(committed)) {
        drift.add(name + " is missing from crds/");
      } else if (!read(committed).equals(read(GENERATED.resolve(name)))) {
        drift.add(name + " differs from the generated one");
      }
    }
    for (String name : v1Files(COMMITTED)) {
      if (!generated.contains(name)) {
        drift.add(name + " is in crds/ but no longer generated (delete it)");
      }
    }
    assertThat(drift)
        .as(
            "CRDs under %s are out of date with the Java types in io.dnsupdate.api; %s",
            COMMITTED.toAbsolutePath().normalize(), FIX)
        .isEmpty();
  }

  static CustomResourceDefinition crd(String file) throws IOException {
    return SERIALIZATION.unmarshal(read(GENERATED.resolve(file)), CustomResourceDefinition.class);
  }

  static CustomResourceDefinitionVersion onlyVersion(CustomResourceDefinition crd) {
    assertThat(crd.getSpec().getVersions()).hasSize(1);
    return crd.getSpec().getVersions().get(0);
  }

  static JSONSchemaProps prop(JSONSchemaProps parent, String... path) {
    JSONSchemaProps p = parent;
    for (String name : path) {
      assertThat(p.getProperties()).as("property %s", name).containsKey(name);
      p = p.getProperties().get(name);
    }
    return p;
  }

  /** Every property has a description, except inside fabric8's Condition type. */
  static List<String> undocumented(String path, JSONSchemaProps schema) {
    List<String> out = new ArrayList<>();
    Map<String, JSONSchemaProps> props = schema.getProperties();
    if (props != null) {
      props.forEach(
          (name, p) -> {
            String here = path + "." + name;
            if (p.getDescription() == null || p.getDescription().isBlank()) {
              out.add(here);
            }
            if (!name.equals("conditions")) {
              out.addAll(undocumented(here, p));
            }
          });
    }
    if (schema.getItems() != null && schema.getItems().getSchema() != null) {
      out.addAll(undocumented(path + "[]", schema.getItems().getSchema()));
    }
    return out;
  }

  static void assertCommonShape(
      CustomResourceDefinition crd,
      String kind,
      String plural,
      String shortName,
      String... columns) {
    assertThat(crd.getSpec().getGroup()).isEqualTo(ApiConstants.GROUP);
    assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
    assertThat(crd.getSpec().getNames().getKind()).isEqualTo(kind);
    assertThat(crd.getSpec().getNames().getPlural()).isEqualTo(plural);
    assertThat(crd.getSpec().getNames().getShortNames()).containsExactly(shortName);
    CustomResourceDefinitionVersion v = onlyVersion(crd);
    assertThat(v.getName()).isEqualTo(ApiConstants.VERSION);
    assertThat(v.getServed()).isTrue();
    assertThat(v.getStorage()).isTrue();
    assertThat(v.getSubresources().getStatus()).as("status subresource").isNotNull();
    assertThat(v.getAdditionalPrinterColumns())
        .extracting(CustomResourceColumnDefinition::getName)
        .containsExactlyInAnyOrder(columns);
    assertThat(v.getAdditionalPrinterColumns())
        .filteredOn(c -> c.getName().equals("Ready"))
        .singleElement()
        .extracting(CustomResourceColumnDefinition::getJsonPath)
        .isEqualTo(".status.conditions[?(@.type==\"Ready\")].status");
    JSONSchemaProps root = v.getSchema().getOpenAPIV3Schema();
    assertThat(undocumented("", prop(root, "spec")))
        .as("spec fields without description")
        .isEmpty();
    assertThat(undocumented("", prop(root, "status")))
        .as("status fields without description")
        .isEmpty();
    assertThat(prop(root, "spec").getDescription()).isNotBlank();
    assertThat(prop(root, "status").getDescription()).isNotBlank();
  }

  @Nested
  class TsigKeySchema {
    @Test
    void shape() throws IOException {
      assertCommonShape(
          crd(TSIG_KEYS),
          "TsigKey",
          "tsigkeys",
          "tsig",
          "Ready",
          "Reason",
          "KeyName",
          "Algorithm",
          "Age");
    }

    @Test
    void validationAndDefaults() throws IOException {
      JSONSchemaProps spec =
          prop(onlyVersion(crd(TSIG_KEYS)).getSchema().getOpenAPIV3Schema(), "spec");

      JSONSchemaProps algorithm = prop(spec, "algorithm");
      assertThat(algorithm.getEnum())
          .extracting(n -> n.asText())
          .containsExactlyInAnyOrder(
              "hmac-sha256", "hmac-sha384", "hmac-sha512", "hmac-sha1", "hmac-md5");
      assertThat(algorithm.getDefault().asText()).isEqualTo("hmac-sha256");
      assertThat(prop(spec, "allowLegacyAlgorithm").getDefault().asBoolean(true)).isFalse();
      assertThat(prop(spec, "keyName").getPattern()).isEqualTo(ApiConstants.DNS_NAME_PATTERN);
      assertThat(prop(spec, "keyName").getDefault()).as("derived in code, not by the CRD").isNull();
      assertThat(prop(spec, "importFrom").getRequired()).containsExactly("secretName");
      assertThat(prop(spec, "importFrom", "secretKey").getDefault().asText()).isEqualTo("secret");
      assertThat(prop(spec, "rotation").getRequired()).containsExactly("period");
      assertThat(prop(spec, "rotation", "overlap").getDefault().asText()).isEqualTo("24h");
      assertThat(prop(spec, "rotation", "period").getPattern())
          .isEqualTo(ApiConstants.DURATION_PATTERN);
      assertThat(spec.getXKubernetesValidations())
          .extracting(r -> r.getMessage())
          .anySatisfy(m -> assertThat(m).contains("allowLegacyAlgorithm"))
          .anySatisfy(m -> assertThat(m).contains("importFrom"));
    }
  }

  @Nested
  class IssuerSchema {
    @Test
    void shape() throws IOException {
      assertCommonShape(
          crd(ISSUERS),
          "DnsUpdateIssuer",
          "dnsupdateissuers",
          "dui",
          "Ready",
          "Reason",
          "Zone",
          "Primary",
          "Age");
    }

    @Test
    void validationAndDefaults() throws IOException {
      JSONSchemaProps root = onlyVersion(crd(ISSUERS)).getSchema().getOpenAPIV3Schema();
      JSONSchemaProps spec = prop(root, "spec");

      assertThat(root.getRequired()).containsExactly("spec");
      assertThat(spec.getRequired()).containsExactlyInAnyOrder("nameservers", "domains");
      // exactly one of the two credentials, as IssuerSettings checks it too
      assertThat(spec.getXKubernetesValidations())
          .extracting(v -> v.getRule())
          .containsExactly("has(self.tsigKeyRef) != has(self.kerberos)");
      assertThat(prop(spec, "kerberos").getRequired())
          .containsExactlyInAnyOrder("principal", "keytabSecretRef");
      assertThat(prop(spec, "kerberos", "principal").getPattern())
          .isEqualTo(ApiConstants.KERBEROS_PRINCIPAL_PATTERN);
      assertThat(prop(spec, "kerberos", "algorithm").getDefault().asText()).isEqualTo("gss-tsig");
      assertThat(prop(spec, "kerberos", "keytabSecretRef", "key").getDefault().asText())
          .isEqualTo("keytab");
      assertThat(prop(spec, "nameservers").getMinItems()).isEqualTo(1L);
      assertThat(prop(spec, "nameservers").getItems().getSchema().getPattern())
          .isEqualTo(ApiConstants.NAMESERVER_PATTERN);
      assertThat(prop(spec, "domains").getMinItems()).isEqualTo(1L);
      assertThat(prop(spec, "domains").getItems().getSchema().getPattern())
          .isEqualTo(ApiConstants.DOMAIN_PATTERN);
      assertThat(prop(spec, "transport").getEnum())
          .extracting(n -> n.asText())
          .containsExactlyInAnyOrder("tcp", "udp", "tls");
      assertThat(prop(spec, "transport").getDefault().asText()).isEqualTo("tcp");
      assertThat(prop(spec, "ttl").getDefault().asInt()).isEqualTo(60);
      assertThat(prop(spec, "ttl").getMinimum()).isEqualTo(1.0);
      assertThat(prop(spec, "ttl").getMaximum()).isEqualTo(86400.0);
      assertThat(prop(spec, "timeout").getDefault().asText()).isEqualTo("10s");
      assertThat(prop(spec, "tsigKeyRef").getRequired()).containsExactly("name");
      assertThat(prop(spec, "propagation", "verify").getDefault().asBoolean(false)).isTrue();
      assertThat(prop(spec, "propagation", "port").getDefault().asInt()).isEqualTo(53);
      assertThat(prop(spec, "propagation", "timeout").getDefault().asText()).isEqualTo("45s");
      assertThat(prop(spec, "propagation", "pollInterval").getDefault().asText()).isEqualTo("1s");
    }
  }
}
