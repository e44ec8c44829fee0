package io.dnsupdate.charts;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.APIService;
import io.fabric8.kubernetes.api.model.APIServiceSpec;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The path from kube-apiserver to the webhook: APIService -> Service -> pods, and the cert-manager
 * PKI that makes the TLS hop verifiable.
 */
class WebhookRegistrationTest {

  private static final String CERT_MANAGER = "cert-manager.io/v1";

  private static Service webhookService(RenderedChart chart) {
    return chart.ofComponent(Service.class, "webhook").stream().findFirst().orElseThrow();
  }

  private static APIService apiService(RenderedChart chart) {
    List<APIService> found = chart.ofType(APIService.class);
    assertThat(found).hasSize(1);
    return found.get(0);
  }

  private static GenericKubernetesResource certificate(RenderedChart chart, String name) {
    return chart.generic(CERT_MANAGER, "Certificate").stream()
        .filter(c -> c.getMetadata().getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no Certificate " + name));
  }

  @ParameterizedTest
  @EnumSource(ValuesScenario.class)
  void apiServicePointsAtTheWebhookService(ValuesScenario scenario) {
    RenderedChart chart = RenderedChart.of(scenario);
    APIService apiService = apiService(chart);
    APIServiceSpec spec = apiService.getSpec();
    Service service = webhookService(chart);

    assertThat(apiService.getMetadata().getName()).isEqualTo("v1alpha1.acme.dnsupdate.io");
    assertThat(spec.getGroup()).isEqualTo("acme.dnsupdate.io");
    assertThat(spec.getVersion()).isEqualTo("v1alpha1");
    assertThat(spec.getGroupPriorityMinimum()).isEqualTo(1000);
    assertThat(spec.getVersionPriority()).isEqualTo(15);
    assertThat(spec.getInsecureSkipTLSVerify()).isNotEqualTo(Boolean.TRUE);
    assertThat(spec.getCaBundle()).as("injected by cainjector").isNull();
    assertThat(spec.getService().getName()).isEqualTo(service.getMetadata().getName());
    assertThat(spec.getService().getNamespace())
        .isEqualTo(service.getMetadata().getNamespace())
        .isEqualTo(RenderedChart.NAMESPACE);
    assertThat(spec.getService().getPort())
        .isEqualTo(service.getSpec().getPorts().get(0).getPort())
        .isEqualTo(443);
  }

  @ParameterizedTest
  @EnumSource(ValuesScenario.class)
  void caBundleIsInjectedFromTheChartsCaCertificate(ValuesScenario scenario) {
    RenderedChart chart = RenderedChart.of(scenario);
    String injectFrom =
        apiService(chart).getMetadata().getAnnotations().get("cert-manager.io/inject-ca-from");

    assertThat(injectFrom).startsWith(RenderedChart.NAMESPACE + "/");
    GenericKubernetesResource ca = certificate(chart, injectFrom.split("/", 2)[1]);
    assertThat(ca.<Boolean>get("spec", "isCA")).isTrue();
    assertThat(ca.<String>get("spec", "duration")).isEqualTo("43800h");
    String selfSigned = ca.get("spec", "issuerRef", "name");
    assertThat(chart.generic(CERT_MANAGER, "Issuer"))
        .anySatisfy(
            i -> {
              assertThat(i.getMetadata().getName()).isEqualTo(selfSigned);
              assertThat(i.<Object>get("spec", "selfSigned")).isNotNull();
            })
        .anySatisfy(
            i ->
                assertThat(i.<String>get("spec", "ca", "secretName"))
                    .isEqualTo(ca.get("spec", "secretName")));
  }

  @ParameterizedTest
  @EnumSource(ValuesScenario.class)
  void servingCertificateCoversEveryNameOfTheService(ValuesScenario scenario) {
    RenderedChart chart = RenderedChart.of(scenario);
    Service service = webhookService(chart);
    String svc = service.getMetadata().getName();
    String ns = service.getMetadata().getNamespace();
    String clusterDomain = chart.values().path("clusterDomain").asText();
    Deployment webhook = chart.deployment("webhook");
    String mountedSecret =
        webhook.getSpec().getTemplate().getSpec().getVolumes().stream()
            .filter(v -> v.getName().equals("tls"))
            .findFirst()
            .orElseThrow()
            .getSecret()
            .getSecretName();

    GenericKubernetesResource serving = certificate(chart, mountedSecret);

    assertThat(serving.<String>get("spec", "secretName")).isEqualTo(mountedSecret);
    assertThat(serving.<List<String>>get("spec", "dnsNames"))
        .containsExactlyInAnyOrder(
            svc, svc + "." + ns, svc + "." + ns + ".svc", svc + "." + ns + ".svc." + clusterDomain);
    if (scenario == ValuesScenario.CUSTOM) {
      assertThat(serving.<List<String>>get("spec", "dnsNames"))
          .contains(svc + "." + ns + ".svc.k8s.example.internal");
    }
    String caIssuer = serving.get("spec", "issuerRef", "name");
    assertThat(chart.generic(CERT_MANAGER, "Issuer"))
        .anySatisfy(
            i -> {
              assertThat(i.getMetadata().getName()).isEqualTo(caIssuer);
              assertThat(i.<Map<String, Object>>get("spec", "ca")).isNotNull();
            });
  }

  @ParameterizedTest
  @EnumSource(ValuesScenario.class)
  void serviceForwards443ToTheWebhooksHttpsPort(ValuesScenario scenario) {
    RenderedChart chart = RenderedChart.of(scenario);
    Service service = webhookService(chart);
    Deployment webhook = chart.deployment("webhook");
    ServicePort port = service.getSpec().getPorts().get(0);

    assertThat(port.getPort()).isEqualTo(443);
    assertThat(port.getTargetPort().getStrVal()).isEqualTo("https");
    assertThat(webhook.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts())
        .anySatisfy(
            p -> {
              assertThat(p.getName()).isEqualTo("https");
              assertThat(p.getContainerPort()).isEqualTo(8443);
            });
    assertThat(webhook.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(service.getSpec().getSelector());
  }

  @ParameterizedTest
  @EnumSource(ValuesScenario.class)
  void webhookHasAPodDisruptionBudgetUnlessDisabled(ValuesScenario scenario) {
    RenderedChart chart = RenderedChart.of(scenario);
    List<PodDisruptionBudget> budgets = chart.ofType(PodDisruptionBudget.class);

    if (scenario == ValuesScenario.MINIMAL) {
      assertThat(budgets).isEmpty();
      return;
    }
    assertThat(budgets)
        .singleElement()
        .satisfies(
            pdb -> {
              assertThat(pdb.getSpec().getSelector().getMatchLabels())
                  .isEqualTo(chart.deployment("webhook").getSpec().getSelector().getMatchLabels());
              assertThat(pdb.getSpec().getMinAvailable().getIntVal())
                  .isEqualTo(scenario == ValuesScenario.CUSTOM ? 2 : 1);
            });
  }
}
