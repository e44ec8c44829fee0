package io.dnsupdate.charts;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The rendered manifests are accepted by an API server (fabric8's mock, CRUD mode) and read back
 * unchanged in substance: CRDs first, then every templated object, cert-manager kinds included.
 */
@EnableKubernetesMockClient(crud = true)
class MockApiServerApplyTest {

  private KubernetesMockServer server;
  private KubernetesClient client;

  /** cert-manager's kinds are not in fabric8's model; the mock learns their scope from these. */
  private static final List<CustomResourceDefinitionContext> CERT_MANAGER_KINDS =
      List.of(certManagerKind("Issuer"), certManagerKind("Certificate"));

  private static CustomResourceDefinitionContext certManagerKind(String kind) {
    return new CustomResourceDefinitionContext.Builder()
        .withGroup("cert-manager.io")
        .withVersion("v1")
        .withKind(kind)
        .withPlural(kind.toLowerCase(Locale.ROOT) + "s")
        .withScope("Namespaced")
        .build();
  }

  @ParameterizedTest
  @EnumSource(ValuesScenario.class)
  void everyRenderedObjectIsCreated(ValuesScenario scenario) throws IOException {
    server.reset();
    CERT_MANAGER_KINDS.forEach(server::expectCustomResource);
    for (String crd : CrdSyncTest.yamlFiles(CrdSyncTest.CHART)) {
      try (InputStream in = Files.newInputStream(CrdSyncTest.CHART.resolve(crd))) {
        client.apiextensions().v1().customResourceDefinitions().load(in).create();
      }
    }
    List<HasMetadata> objects =
        RenderedChart.of(scenario).objects().stream()
            .filter(o -> !(o instanceof CustomResourceDefinition))
            .toList();

    for (HasMetadata object : objects) {
      HasMetadata created = create(object);
      assertThat(created.getMetadata().getUid()).as(Permissions.describe(object)).isNotBlank();
    }

    for (HasMetadata object : objects) {
      HasMetadata stored = get(object);
      assertThat(stored).as(Permissions.describe(object)).isNotNull();
      assertThat(stored.getMetadata().getLabels())
          .as(Permissions.describe(object))
          .containsAllEntriesOf(object.getMetadata().getLabels());
    }
    assertThat(client.apiextensions().v1().customResourceDefinitions().list().getItems())
        .extracting(c -> c.getMetadata().getName())
        .containsExactlyInAnyOrder("tsigkeys.dnsupdate.io", "dnsupdateissuers.dnsupdate.io");
  }

  private HasMetadata create(HasMetadata object) {
    HasMetadata copy = Serialization.clone(object);
    if (copy instanceof GenericKubernetesResource generic) {
      var resources = client.genericKubernetesResources(context(generic));
      String namespace = generic.getMetadata().getNamespace();
      return namespace == null
          ? resources.resource(generic).create()
          : resources.inNamespace(namespace).resource(generic).create();
    }
    return client.resource(copy).create();
  }

  private HasMetadata get(HasMetadata object) {
    if (object instanceof GenericKubernetesResource generic) {
      return client
          .genericKubernetesResources(context(generic))
          .inNamespace(generic.getMetadata().getNamespace())
          .withName(generic.getMetadata().getName())
          .get();
    }
    return client.resource(object).get();
  }

  private static ResourceDefinitionContext context(GenericKubernetesResource generic) {
    String[] groupVersion = generic.getApiVersion().split("/", 2);
    return new ResourceDefinitionContext.Builder()
        .withGroup(groupVersion[0])
        .withVersion(groupVersion[1])
        .withKind(generic.getKind())
        .withPlural(generic.getKind().toLowerCase(Locale.ROOT) + "s")
        .withNamespaced(generic.getMetadata().getNamespace() != null)
        .build();
  }
}
