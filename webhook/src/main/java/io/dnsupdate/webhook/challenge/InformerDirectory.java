package io.dnsupdate.webhook.challenge;

import io.dnsupdate.api.DnsUpdateIssuer;
import io.dnsupdate.api.TsigKey;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster-wide informers (list + watch) on DnsUpdateIssuers and TsigKeys, so a challenge is looked
 * up in memory instead of costing API calls. Secrets are deliberately not watched.
 */
public final class InformerDirectory implements ResourceDirectory, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(InformerDirectory.class);

  private final SharedIndexInformer<DnsUpdateIssuer> issuers;
  private final SharedIndexInformer<TsigKey> tsigKeys;

  private InformerDirectory(
      SharedIndexInformer<DnsUpdateIssuer> issuers, SharedIndexInformer<TsigKey> tsigKeys) {
    this.issuers = issuers;
    this.tsigKeys = tsigKeys;
  }

  /** Starts both informers; they retry until the API server answers. */
  public static InformerDirectory start(KubernetesClient client) {
    SharedIndexInformer<DnsUpdateIssuer> issuers =
        informer(client, DnsUpdateIssuer.class, "DnsUpdateIssuers");
    SharedIndexInformer<TsigKey> keys = informer(client, TsigKey.class, "TsigKeys");
    return new InformerDirectory(issuers, keys);
  }

  private static <T extends HasMetadata> SharedIndexInformer<T> informer(
      KubernetesClient client, Class<T> type, String what) {
    SharedIndexInformer<T> informer = client.resources(type).inAnyNamespace().runnableInformer(0);
    informer.exceptionHandler(
        (started, t) -> {
          log.warn("watching {} failed, retrying: {}", what, t.toString());
          return true;
        });
    informer.start();
    return informer;
  }

  @Override
  public Optional<DnsUpdateIssuer> issuer(String namespace, String name) {
    return Optional.ofNullable(issuers.getStore().getByKey(namespace + "/" + name));
  }

  @Override
  public Optional<TsigKey> tsigKey(String namespace, String name) {
    return Optional.ofNullable(tsigKeys.getStore().getByKey(namespace + "/" + name));
  }

  @Override
  public boolean synced() {
    return issuers.hasSynced() && tsigKeys.hasSynced();
  }

  @Override
  public void close() {
    issuers.close();
    tsigKeys.close();
  }
}
