package io.dnsupdate.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.api.ApiConstants;
import io.dnsupdate.api.DnsUpdateIssuer;
import io.dnsupdate.api.TsigKey;
import io.dnsupdate.e2e.ExampleResources;
import io.dnsupdate.e2e.LocalNameserver;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The packaged operator as its own process with its ServiceAccount's token, against the real
 * kube-apiserver (RBAC enforced), kube-controller-manager (garbage collection) and BIND.
 */
@ExtendWith(RealCluster.Extension.class)
class OperatorIT {

  /** JOSDK's default lease duration and retry period, which the operator keeps. */
  private static final Duration LEASE_DURATION = Duration.ofSeconds(15);

  private static final Duration RETRY_PERIOD = Duration.ofSeconds(2);

  @Test
  void tsigKeyAndIssuerBecomeReadyAndTheGarbageCollectorRemovesTheSecrets(RealCluster cluster)
      throws IOException {
    String ns = "operator-happy";
    cluster.kubectlOk("create", "namespace", ns);
    KubernetesClient k8s = cluster.admin();
    TsigKey key = ExampleResources.tsigKey(ns, null, null);
    key.getSpec().setRotation(null);
    TsigKey created = k8s.resource(key).create();
    String keySecret = key.getSpec().getSecretName();
    String configSecret =
        key.getMetadata().getName() + ApiConstants.NAMESERVER_CONFIG_SECRET_SUFFIX;

    Secret material =
        cluster
            .await("the operator writes the key Secret")
            .until(() -> k8s.secrets().inNamespace(ns).withName(keySecret).get(), s -> s != null);
    assertThat(material.getData())
        .containsKeys(
            ApiConstants.SECRET_KEY_NAME,
            ApiConstants.SECRET_ALGORITHM,
            ApiConstants.SECRET_SECRET);
    assertOwnedBy(material, created);
    assertThat(material.getMetadata().getLabels())
        .containsEntry(ApiConstants.LABEL_MANAGED_BY, ApiConstants.MANAGED_BY)
        .containsEntry(ApiConstants.LABEL_TSIG_KEY, key.getMetadata().getName());

    DnsUpdateIssuer issuer =
        ExampleResources.issuer(
            ns,
            cluster.dns().hostPort(),
            LocalNameserver.ZONE,
            List.of("op." + LocalNameserver.ZONE));
    k8s.resource(issuer).create();
    Secret config =
        cluster
            .await("the nameserver config grants the issuer's names")
            .until(
                () -> k8s.secrets().inNamespace(ns).withName(configSecret).get(),
                s ->
                    s != null
                        && RealCluster.decoded(s)
                            .getOrDefault(ApiConstants.NAMESERVER_CONFIG_UPDATE_POLICY, "")
                            .contains("_acme-challenge.op."));
    assertOwnedBy(config, created);
    cluster.dns().trust(RealCluster.decoded(config), cluster.work());

    DnsUpdateIssuer ready =
        cluster
            .await("the issuer is Ready against the real named")
            .atMost(Duration.ofMinutes(3))
            .until(
                () ->
                    k8s.resources(DnsUpdateIssuer.class)
                        .inNamespace(ns)
                        .withName("example-com")
                        .get(),
                i -> "True".equals(readyStatus(i)));
    assertThat(ready.getStatus().getObservedGeneration())
        .isEqualTo(ready.getMetadata().getGeneration());

    // every status write went through the status subresource, as the real API server records it
    TsigKey keyNow = k8s.resource(created).get();
    assertThat(statusWriters(keyNow.getMetadata().getManagedFields())).isNotEmpty();
    assertThat(statusWriters(ready.getMetadata().getManagedFields())).isNotEmpty();
    assertThat(mainResourceWritersOfStatus(keyNow.getMetadata().getManagedFields())).isEmpty();
    assertThat(mainResourceWritersOfStatus(ready.getMetadata().getManagedFields())).isEmpty();

    List<Event> warnings =
        k8s.v1().events().inNamespace(ns).list().getItems().stream()
            .filter(e -> "Warning".equals(e.getType()))
            // the grants exist only once an issuer names the key, so the first probe of an issuer
            // necessarily meets a nameserver that does not know the key yet
            .filter(e -> !"KeyRejected".equals(e.getReason()))
            .toList();
    assertThat(warnings).as("Warning Events on the happy path").isEmpty();

    k8s.resource(created).delete();
    cluster
        .await("kube-controller-manager's garbage collector deletes both owned Secrets")
        .until(
            () ->
                k8s.secrets().inNamespace(ns).withName(keySecret).get() == null
                    && k8s.secrets().inNamespace(ns).withName(configSecret).get() == null);
  }

  @Test
  void anotherReplicaLeadsWithinTheLeaseDurationWhenTheLeaderStops(RealCluster cluster)
      throws IOException {
    KubernetesClient k8s = cluster.admin();
    ComponentProcess second = cluster.startOperator("operator-standby");
    Lease lease = currentLease(cluster);
    String leader = lease.getSpec().getHolderIdentity();
    ComponentProcess leading =
        cluster.processes().stream()
            .filter(p -> p.name().equals(leader))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no operator process named " + leader));
    assertThat(second.isAlive()).isTrue();
    assertThat(second.output()).doesNotContain("Exception");

    Instant stopped = Instant.now();
    leading.close();
    Lease taken =
        cluster
            .await("another replica takes the Lease")
            .atMost(LEASE_DURATION.plus(RETRY_PERIOD).plusSeconds(10))
            .until(
                () -> currentLease(cluster),
                l ->
                    l.getSpec().getHolderIdentity() != null
                        && !leader.equals(l.getSpec().getHolderIdentity()));
    Duration takeover = Duration.between(stopped, Instant.now());
    // JOSDK does not release the Lease when it stops, so the standby waits for it to expire: one
    // lease duration after the last renewal, seen at its next retry (plus API latency on 2 cores)
    assertThat(takeover).isLessThanOrEqualTo(LEASE_DURATION.plus(RETRY_PERIOD).plusSeconds(5));
    System.out.printf(
        "leader %s stopped; %s leads after %d ms%n",
        leader, taken.getSpec().getHolderIdentity(), takeover.toMillis());

    String ns = "operator-failover";
    cluster.kubectlOk("create", "namespace", ns);
    TsigKey key = ExampleResources.tsigKey(ns, null, null);
    key.getSpec().setRotation(null);
    k8s.resource(key).create();
    cluster
        .await("the new leader reconciles a new TsigKey")
        .until(
            () -> k8s.secrets().inNamespace(ns).withName(key.getSpec().getSecretName()).get(),
            s -> s != null);
  }

  private static Lease currentLease(RealCluster cluster) {
    return cluster
        .await("an operator holds the Lease")
        .until(
            () ->
                cluster
                    .admin()
                    .leases()
                    .inNamespace(RealCluster.NAMESPACE)
                    .withName(cluster.leaseName())
                    .get(),
            l -> l != null && l.getSpec().getHolderIdentity() != null);
  }

  private static void assertOwnedBy(Secret secret, TsigKey owner) {
    OwnerReference ref = secret.getMetadata().getOwnerReferences().get(0);
    assertThat(ref.getUid()).isEqualTo(owner.getMetadata().getUid());
    assertThat(ref.getKind()).isEqualTo(ApiConstants.KIND_TSIG_KEY);
    assertThat(ref.getController()).isTrue();
  }

  private static String readyStatus(DnsUpdateIssuer i) {
    if (i == null || i.getStatus() == null || i.getStatus().getConditions() == null) {
      return null;
    }
    return i.getStatus().getConditions().stream()
        .filter(c -> ApiConstants.CONDITION_READY.equals(c.getType()))
        .map(c -> c.getStatus())
        .findFirst()
        .orElse(null);
  }

  private static List<String> statusWriters(List<ManagedFieldsEntry> fields) {
    return fields.stream()
        .filter(f -> "status".equals(f.getSubresource()))
        .map(ManagedFieldsEntry::getManager)
        .toList();
  }

  /** Managers that set status fields through the main resource (which the API server ignores). */
  private static List<String> mainResourceWritersOfStatus(List<ManagedFieldsEntry> fields) {
    return fields.stream()
        .filter(f -> f.getSubresource() == null || f.getSubresource().isEmpty())
        .filter(
            f ->
                Optional.ofNullable(f.getFieldsV1())
                    .map(v -> v.getAdditionalProperties().containsKey("f:status"))
                    .orElse(false))
        .map(ManagedFieldsEntry::getManager)
        .toList();
  }
}
