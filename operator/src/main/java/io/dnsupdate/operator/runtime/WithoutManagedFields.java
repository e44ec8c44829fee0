package io.dnsupdate.operator.runtime;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;

/**
 * An informer cache that drops {@code metadata.managedFields} from what it keeps. The operator
 * never reads them and patches status with JSON patches (no server-side apply), yet fabric8 keeps
 * each entry's field set as nested maps: with 1,000 TsigKeys that is a large part of the heap
 * (OperatorMemoryBenchmark). An update that leaves the field out keeps the server's entries.
 */
final class WithoutManagedFields<R extends HasMetadata> extends BasicItemStore<R> {
  WithoutManagedFields() {
    super(Cache::metaNamespaceKeyFunc);
  }

  @Override
  public R put(String key, R obj) {
    if (obj.getMetadata() != null) {
      obj.getMetadata().setManagedFields(null);
    }
    return super.put(key, obj);
  }
}
