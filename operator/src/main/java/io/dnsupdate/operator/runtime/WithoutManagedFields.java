package io.dnsupdate.operator.runtime;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import java.util.Set;

/**
 * An informer cache that drops {@code metadata.managedFields} from what it keeps. The operator
 * never reads them and patches status with JSON patches (no server-side apply), yet fabric8 keeps
 * each entry's field set as nested maps: with 1,000 TsigKeys, the TsigKeys and Secrets held by the
 * controllers and their event sources were a large part of the heap (OperatorMemoryBenchmark). An
 * update that leaves the field out keeps the server's entries.
 */
public final class WithoutManagedFields<R extends HasMetadata> extends BasicItemStore<R> {
  WithoutManagedFields() {
    super(Cache::metaNamespaceKeyFunc);
  }

  /**
   * The store for an informer of one controller's event source, or null for JOSDK's default. JOSDK
   * gives one store to the informer of every watched namespace, and an informer's relist drops from
   * its store whatever it did not list: with two namespaces each would empty the other's part
   * (WatchedNamespacesIT). So only where one informer serves the kind: all namespaces, or one.
   */
  public static <R extends HasMetadata> ItemStore<R> where1Informer(EventSourceContext<?> context) {
    return forNamespaces(context.getControllerConfiguration().getEffectiveNamespaces());
  }

  static <R extends HasMetadata> ItemStore<R> forNamespaces(Set<String> namespaces) {
    return namespaces.size() <= 1 ? new WithoutManagedFields<>() : null;
  }

  @Override
  public R put(String key, R obj) {
    if (obj.getMetadata() != null) {
      obj.getMetadata().setManagedFields(null);
    }
    return super.put(key, obj);
  }
}
