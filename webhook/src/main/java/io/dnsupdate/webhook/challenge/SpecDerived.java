package io.dnsupdate.webhook.challenge;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.dnsupdate.cache.Caches;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;

/**
 * What the webhook derives from a resource's spec (an issuer's or a TsigKey's settings), kept per
 * generation: a spec never changes without a new generation, while the operator's status writes
 * change the resourceVersion at every probe. A spec that fails to derive is never kept, so it is
 * derived, and refused, again each time.
 */
final class SpecDerived<R extends HasMetadata, V> {
  /** Derives the value from the resource's spec, or says what is wrong with it. */
  interface Derivation<R, V> {
    V derive(R resource) throws SolverFailure;
  }

  /** One generation of one resource: its spec. */
  private record Generation(String namespace, String name, String uid, long generation) {}

  private final AsyncCache<Generation, V> cache;
  private final Derivation<R, V> derivation;

  SpecDerived(Caffeine<Object, Object> cache, Derivation<R, V> derivation) {
    this.cache = cache.buildAsync();
    this.derivation = derivation;
  }

  V get(R resource) throws SolverFailure {
    ObjectMeta m = resource.getMetadata();
    if (m.getGeneration() == null) {
      return derivation.derive(resource); // never served by an API server: nothing says when
    }
    Generation g = new Generation(m.getNamespace(), m.getName(), m.getUid(), m.getGeneration());
    return Caches.get(cache, g, () -> derivation.derive(resource));
  }

  /** Generations kept now. */
  long size() {
    cache.synchronous().cleanUp();
    return cache.synchronous().estimatedSize();
  }
}
