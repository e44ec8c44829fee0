package io.dnsupdate.charts;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every pod and container meets the "restricted" Pod Security Standard. */
class PodSecurityTest {

  private static final long NONROOT_UID = 65532L;

  @ParameterizedTest
  @EnumSource(ValuesScenario.class)
  void everyPodIsRestricted(ValuesScenario scenario) {
    List<Deployment> deployments = RenderedChart.of(scenario).ofType(Deployment.class);

    assertThat(deployments).hasSize(2);
    for (Deployment deployment : deployments) {
      PodSpec pod = deployment.getSpec().getTemplate().getSpec();
      PodSecurityContext context = pod.getSecurityContext();
      String name = deployment.getMetadata().getName();

      assertThat(context).as(name).isNotNull();
      assertThat(context.getRunAsNonRoot()).as(name).isTrue();
      assertThat(context.getRunAsUser()).as(name).isEqualTo(NONROOT_UID);
      assertThat(context.getSeccompProfile().getType()).as(name).isEqualTo("RuntimeDefault");
      assertThat(pod.getHostNetwork()).as(name).isNotEqualTo(Boolean.TRUE);
      assertThat(pod.getHostPID()).as(name).isNotEqualTo(Boolean.TRUE);
      assertThat(pod.getHostIPC()).as(name).isNotEqualTo(Boolean.TRUE);
      assertThat(pod.getVolumes()).as(name).allSatisfy(v -> assertThat(v.getHostPath()).isNull());
    }
  }

  @ParameterizedTest
  @EnumSource(ValuesScenario.class)
  void everyContainerIsRestrictedWithReadOnlyRoot(ValuesScenario scenario) {
    List<Container> containers = new ArrayList<>();
    RenderedChart.of(scenario)
        .ofType(Deployment.class)
        .forEach(
            d -> {
              containers.addAll(d.getSpec().getTemplate().getSpec().getContainers());
              containers.addAll(d.getSpec().getTemplate().getSpec().getInitContainers());
            });

    assertThat(containers)
        .isNotEmpty()
        .allSatisfy(
            c -> {
              SecurityContext context = c.getSecurityContext();
              assertThat(context).as(c.getName()).isNotNull();
              assertThat(context.getRunAsNonRoot()).as(c.getName()).isTrue();
              assertThat(context.getRunAsUser()).as(c.getName()).isEqualTo(NONROOT_UID);
              assertThat(context.getAllowPrivilegeEscalation()).as(c.getName()).isFalse();
              assertThat(context.getReadOnlyRootFilesystem()).as(c.getName()).isTrue();
              assertThat(context.getPrivileged()).as(c.getName()).isNotEqualTo(Boolean.TRUE);
              assertThat(context.getCapabilities().getDrop())
                  .as(c.getName())
                  .containsExactly("ALL");
              assertThat(context.getCapabilities().getAdd()).as(c.getName()).isNullOrEmpty();
              assertThat(context.getSeccompProfile().getType())
                  .as(c.getName())
                  .isEqualTo("RuntimeDefault");
              assertThat(c.getPorts()).allSatisfy(p -> assertThat(p.getHostPort()).isNull());
            });
  }

  @ParameterizedTest
  @EnumSource(ValuesScenario.class)
  void everyContainerWritesOnlyToAnEmptyDirAtTmp(ValuesScenario scenario) {
    for (Deployment deployment : RenderedChart.of(scenario).ofType(Deployment.class)) {
      PodSpec pod = deployment.getSpec().getTemplate().getSpec();
      Volume tmp =
          pod.getVolumes().stream()
              .filter(v -> v.getName().equals("tmp"))
              .findFirst()
              .orElseThrow();

      assertThat(tmp.getEmptyDir()).as(deployment.getMetadata().getName()).isNotNull();
      // a keytab passes through /tmp during a Kerberos login: never on the node's disk
      assertThat(tmp.getEmptyDir().getMedium()).isEqualTo("Memory");
      assertThat(pod.getContainers())
          .allSatisfy(
              c ->
                  assertThat(c.getVolumeMounts())
                      .anySatisfy(
                          m -> {
                            assertThat(m.getName()).isEqualTo("tmp");
                            assertThat(m.getMountPath()).isEqualTo("/tmp");
                          }));
    }
  }
}
