package io.dnsupdate.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WithoutManagedFieldsTest {
  private static Secret secret() {
    return new SecretBuilder()
        .withNewMetadata()
        .withNamespace("team-a")
        .withName("k")
        .withResourceVersion("7")
        .addToLabels("app.kubernetes.io/managed-by", "dnsupdate-operator")
        .withManagedFields(
            new ManagedFieldsEntryBuilder().withManager("dnsupdate-operator").build())
        .endMetadata()
        .addToData("secret", "c2VjcmV0")
        .build();
  }

  @Test
  void keepsEverythingButManagedFields() {
    ItemStore<Secret> store = WithoutManagedFields.forNamespaces(Set.of());
    store.put(store.getKey(secret()), secret());

    Secret kept = store.get("team-a/k");
    assertThat(kept.getMetadata().getManagedFields()).isNullOrEmpty();
    assertThat(kept.getMetadata().getResourceVersion()).isEqualTo("7");
    assertThat(kept.getMetadata().getLabels()).containsKey("app.kubernetes.io/managed-by");
    assertThat(kept.getData()).containsEntry("secret", "c2VjcmV0");
  }

  @Test
  void onlyWhereOneInformerServesTheKind() {
    assertThat(WithoutManagedFields.<Secret>forNamespaces(Set.of())).isNotNull();
    assertThat(WithoutManagedFields.<Secret>forNamespaces(Set.of("team-a"))).isNotNull();
    // a store shared by two namespace informers would be emptied by either one's relist
    assertThat(WithoutManagedFields.<Secret>forNamespaces(Set.of("team-a", "team-b"))).isNull();
  }
}
