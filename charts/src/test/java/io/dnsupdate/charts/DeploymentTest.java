package io.dnsupdate.charts;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.WeightedPodAffinityTerm;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The two Deployments: environment per CONTRACTS.md, probes, images, resources, scheduling. */
class DeploymentTest {

  private static Container container(RenderedChart chart, String component) {
    return chart.deployment(component).getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  private static PodSpec pod(RenderedChart chart, String component) {
    return chart.deployment(component).getSpec().getTemplate().getSpec();
  }

  private static Map<String, EnvVar> env(Container container) {
    return container.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
  }

  @Nested
  class Operator {

    @ParameterizedTest
    @EnumSource(ValuesScenario.class)
    void environmentFollowsTheContract(ValuesScenario scenario) {
      RenderedChart chart = RenderedChart.of(scenario);
      Map<String, EnvVar> env = env(container(chart, "operator"));

      assertThat(env).containsKeys("WATCH_NAMESPACES", "LEADER_ELECTION", "POD_NAMESPACE");
      assertThat(env.get("POD_NAMESPACE").getValueFrom().getFieldRef().getFieldPath())
          .isEqualTo("metadata.namespace");
      assertThat(env.get("HTTP_PORT").getValue()).isEqualTo("8080");
      assertThat(env.get("LEADER_ELECTION").getValue())
          .isEqualTo(
              chart.values().path("operator").path("leaderElection").path("enabled").asText());
      assertThat(env.get("LOG_LEVEL").getValue()).isNotBlank();
      assertThat(env.get("RECHECK_INTERVAL").getValue())
          .isEqualTo(scenario == ValuesScenario.CUSTOM ? "5m" : "1m");
      assertThat(env.get("PROBE_INTERVAL").getValue())
          .isEqualTo(scenario == ValuesScenario.CUSTOM ? "10m" : "5m");
      assertThat(env.get("RETRY_INTERVAL").getValue())
          .isEqualTo(scenario == ValuesScenario.CUSTOM ? "1m30s" : "30s");
      if (scenario == ValuesScenario.CUSTOM) {
        assertThat(env.get("WATCH_NAMESPACES").getValue()).isEqualTo("team-a,team-b");
        assertThat(env.get("JAVA_TOOL_OPTIONS").getValue()).isEqualTo("-XX:+UseSerialGC");
      } else {
        assertThat(env.get("WATCH_NAMESPACES").getValue()).isEmpty();
      }
    }

    @ParameterizedTest
    @EnumSource(ValuesScenario.class)
    void servesProbesAndMetricsOverHttp(ValuesScenario scenario) {
      Container operator = container(RenderedChart.of(scenario), "operator");

      assertThat(operator.getPorts())
          .singleElement()
          .satisfies(
              p -> {
                assertThat(p.getName()).isEqualTo("http");
                assertThat(p.getContainerPort()).isEqualTo(8080);
              });
      assertThat(operator.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
      assertThat(operator.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
      assertThat(operator.getStartupProbe().getHttpGet().getPath()).isEqualTo("/healthz");
      assertThat(operator.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
    }

    @Test
    void defaultsToOneReplicaWithLeaderElection() {
      RenderedChart chart = RenderedChart.of(ValuesScenario.DEFAULTS);

      assertThat(chart.deployment("operator").getSpec().getReplicas()).isEqualTo(1);
      assertThat(env(container(chart, "operator")).get("LEADER_ELECTION").getValue())
          .isEqualTo("true");
      assertThat(container(chart, "operator").getImage())
          .isEqualTo("dnsupdate/dnsupdate-operator:0.1.0");
    }

    @Test
    void customValuesReachThePodSpec() {
      RenderedChart chart = RenderedChart.of(ValuesScenario.CUSTOM);
      Container operator = container(chart, "operator");
      PodSpec pod = pod(chart, "operator");

      assertThat(chart.deployment("operator").getSpec().getReplicas()).isEqualTo(2);
      assertThat(operator.getImage())
          .isEqualTo("registry.example.org/dns/dnsupdate-operator:1.2.3");
      assertThat(operator.getImagePullPolicy()).isEqualTo("Always");
      assertThat(operator.getResources().getRequests())
          .containsEntry("cpu", new Quantity("250m"))
          .containsEntry("memory", new Quantity("384Mi"));
      assertThat(operator.getResources().getLimits())
          .containsEntry("cpu", new Quantity("2"))
          .containsEntry("memory", new Quantity("768Mi"));
      assertThat(pod.getImagePullSecrets()).singleElement().extracting("name").isEqualTo("regcred");
      assertThat(pod.getNodeSelector()).containsEntry("kubernetes.io/os", "linux");
      assertThat(pod.getTolerations()).singleElement().extracting("key").isEqualTo("dedicated");
      assertThat(pod.getPriorityClassName()).isEqualTo("system-cluster-critical");
      assertThat(chart.deployment("operator").getSpec().getTemplate().getMetadata())
          .satisfies(
              m -> {
                assertThat(m.getLabels()).containsEntry("tier", "control");
                assertThat(m.getAnnotations()).containsEntry("prometheus.io/scrape", "true");
              });
    }
  }

  @Nested
  class Webhook {

    @ParameterizedTest
    @EnumSource(ValuesScenario.class)
    void environmentFollowsTheContract(ValuesScenario scenario) {
      Map<String, EnvVar> env = env(container(RenderedChart.of(scenario), "webhook"));

      assertThat(env.get("TLS_CERT_FILE").getValue()).isEqualTo("/tls/tls.crt");
      assertThat(env.get("TLS_KEY_FILE").getValue()).isEqualTo("/tls/tls.key");
      assertThat(env.get("HTTPS_PORT").getValue()).isEqualTo("8443");
      assertThat(env.get("REQUESTHEADER_CONFIGMAP").getValue())
          .isEqualTo("kube-system/extension-apiserver-authentication");
      assertThat(env.get("LOG_LEVEL").getValue()).isNotBlank();
    }

    @ParameterizedTest
    @EnumSource(ValuesScenario.class)
    void probesHealthzOverHttpsAndMountsTheServingCertificate(ValuesScenario scenario) {
      RenderedChart chart = RenderedChart.of(scenario);
      Container webhook = container(chart, "webhook");

      assertThat(webhook.getPorts())
          .singleElement()
          .satisfies(
              p -> {
                assertThat(p.getName()).isEqualTo("https");
                assertThat(p.getContainerPort()).isEqualTo(8443);
              });
      for (var probe :
          new Probe[] {
            webhook.getLivenessProbe(), webhook.getReadinessProbe(), webhook.getStartupProbe()
          }) {
        assertThat(probe.getHttpGet().getScheme()).isEqualTo("HTTPS");
        assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("https");
      }
      assertThat(webhook.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
      assertThat(webhook.getStartupProbe().getHttpGet().getPath()).isEqualTo("/healthz");
      // readiness fails first on SIGTERM, and until the caches are loaded
      assertThat(webhook.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
      assertThat(webhook.getVolumeMounts())
          .anySatisfy(
              m -> {
                assertThat(m.getName()).isEqualTo("tls");
                assertThat(m.getMountPath()).isEqualTo("/tls");
                assertThat(m.getReadOnly()).isTrue();
              });
      assertThat(pod(chart, "webhook").getVolumes())
          .anySatisfy(
              v -> {
                assertThat(v.getName()).isEqualTo("tls");
                assertThat(v.getSecret().getSecretName())
                    .isEqualTo(chart.deployment("webhook").getMetadata().getName() + "-tls");
              });
    }

    @Test
    void waitsLongerAfterSigtermThanChallengesInProgressMayTake() {
      RenderedChart chart = RenderedChart.of(ValuesScenario.DEFAULTS);
      // the webhook's default SHUTDOWN_GRACE is 60 s; the kubelet kills after this
      assertThat(pod(chart, "webhook").getTerminationGracePeriodSeconds()).isGreaterThan(60L);
    }

    @Test
    void defaultsToTwoReplicasSpreadOverNodes() {
      RenderedChart chart = RenderedChart.of(ValuesScenario.DEFAULTS);
      Deployment webhook = chart.deployment("webhook");

      assertThat(webhook.getSpec().getReplicas()).isEqualTo(2);
      WeightedPodAffinityTerm term =
          pod(chart, "webhook")
              .getAffinity()
              .getPodAntiAffinity()
              .getPreferredDuringSchedulingIgnoredDuringExecution()
              .get(0);
      assertThat(term.getPodAffinityTerm().getTopologyKey()).isEqualTo("kubernetes.io/hostname");
      assertThat(term.getPodAffinityTerm().getLabelSelector().getMatchLabels())
          .isEqualTo(webhook.getSpec().getSelector().getMatchLabels());
    }

    @Test
    void customValuesReachThePodSpec() {
      RenderedChart chart = RenderedChart.of(ValuesScenario.CUSTOM);
      Container webhook = container(chart, "webhook");
      PodSpec pod = pod(chart, "webhook");

      assertThat(chart.deployment("webhook").getSpec().getReplicas()).isEqualTo(3);
      assertThat(webhook.getImage()).isEqualTo("registry.example.org/dns/dnsupdate-webhook:1.2.3");
      assertThat(webhook.getResources().getLimits()).containsEntry("memory", new Quantity("512Mi"));
      assertThat(
              pod.getAffinity()
                  .getPodAntiAffinity()
                  .getPreferredDuringSchedulingIgnoredDuringExecution())
          .isNullOrEmpty();
      assertThat(
              pod.getAffinity()
                  .getPodAntiAffinity()
                  .getRequiredDuringSchedulingIgnoredDuringExecution())
          .singleElement()
          .extracting("topologyKey")
          .isEqualTo("topology.kubernetes.io/zone");
      assertThat(pod.getPriorityClassName()).isEqualTo("system-cluster-critical");
    }
  }

  @ParameterizedTest
  @EnumSource(ValuesScenario.class)
  void everyContainerHasRequestsAndLimits(ValuesScenario scenario) {
    for (String component : new String[] {"operator", "webhook"}) {
      Container c = container(RenderedChart.of(scenario), component);

      assertThat(c.getResources().getRequests()).as(component).containsKeys("cpu", "memory");
      assertThat(c.getResources().getLimits()).as(component).containsKeys("memory");
    }
  }

  @ParameterizedTest
  @EnumSource(ValuesScenario.class)
  void eachComponentRunsUnderItsOwnServiceAccount(ValuesScenario scenario) {
    RenderedChart chart = RenderedChart.of(scenario);

    String operator = pod(chart, "operator").getServiceAccountName();
    String webhook = pod(chart, "webhook").getServiceAccountName();

    assertThat(operator).isNotBlank().isNotEqualTo(webhook).isNotEqualTo("default");
    assertThat(webhook).isNotBlank().isNotEqualTo("default");
    if (scenario == ValuesScenario.MINIMAL) {
      assertThat(operator).isEqualTo("existing-operator");
      assertThat(webhook).isEqualTo("existing-webhook");
      assertThat(chart.ofType(ServiceAccount.class)).isEmpty();
    } else {
      assertThat(chart.ofType(ServiceAccount.class))
          .extracting(sa -> sa.getMetadata().getName())
          .containsExactlyInAnyOrder(operator, webhook);
    }
  }
}
