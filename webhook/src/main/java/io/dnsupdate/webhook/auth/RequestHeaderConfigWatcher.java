package io.dnsupdate.webhook.auth;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the request-header settings current by watching the one ConfigMap kube-apiserver publishes
 * them in (list/watch restricted to its name, as the extension-apiserver-authentication-reader Role
 * allows). A rotated front-proxy CA applies to the next request without a restart.
 */
public final class RequestHeaderConfigWatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RequestHeaderConfigWatcher.class);

  private final String namespace;
  private final String name;
  private final AtomicReference<RequestHeaderConfig> current = new AtomicReference<>();
  private final AtomicReference<String> problem;
  private final SharedIndexInformer<ConfigMap> informer;

  private RequestHeaderConfigWatcher(KubernetesClient client, String namespace, String name) {
    this.namespace = namespace;
    this.name = name;
    this.problem =
        new AtomicReference<>("ConfigMap " + namespace + "/" + name + " has not been read yet");
    this.informer = client.configMaps().inNamespace(namespace).withName(name).runnableInformer(0);
    informer.exceptionHandler(
        (started, t) -> {
          log.warn("watching ConfigMap {}/{} failed, retrying: {}", namespace, name, t.toString());
          return true;
        });
    informer.addEventHandler(
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(ConfigMap cm) {
            apply(cm);
          }

          @Override
          public void onUpdate(ConfigMap oldCm, ConfigMap newCm) {
            apply(newCm);
          }

          @Override
          public void onDelete(ConfigMap cm, boolean deletedFinalStateUnknown) {
            current.set(null);
            problem.set("ConfigMap " + namespace + "/" + name + " was deleted");
            log.warn(
                "ConfigMap {}/{} was deleted: every request is now unauthenticated",
                namespace,
                name);
          }
        });
  }

  /** Starts watching; the settings appear once the ConfigMap has been listed. */
  public static RequestHeaderConfigWatcher start(
      KubernetesClient client, String namespace, String name) {
    RequestHeaderConfigWatcher w = new RequestHeaderConfigWatcher(client, namespace, name);
    w.informer.start();
    return w;
  }

  private void apply(ConfigMap cm) {
    try {
      RequestHeaderConfig c = RequestHeaderConfig.fromConfigMapData(cm.getData());
      current.set(c);
      problem.set(null);
      log.info("request-header authentication from ConfigMap {}/{}: {}", namespace, name, c);
    } catch (IllegalArgumentException e) {
      current.set(null);
      problem.set("ConfigMap " + namespace + "/" + name + ": " + e.getMessage());
      log.error(
          "ConfigMap {}/{} is unusable, every request is unauthenticated: {}",
          namespace,
          name,
          e.getMessage());
    }
  }

  /** The settings in force, or null. */
  public RequestHeaderConfig current() {
    return current.get();
  }

  /** Why {@link #current()} is null. */
  public String problem() {
    String p = problem.get();
    if (current.get() != null) {
      return null;
    }
    if (informer.hasSynced() && p != null && p.endsWith("has not been read yet")) {
      return "ConfigMap "
          + namespace
          + "/"
          + name
          + " does not exist: kube-apiserver publishes it when the aggregation layer is"
          + " configured (--requestheader-client-ca-file)";
    }
    return p == null ? "ConfigMap " + namespace + "/" + name + " has not been read yet" : p;
  }

  /** True once the ConfigMap was read and is usable. */
  public boolean ready() {
    return informer.hasSynced() && current.get() != null;
  }

  @Override
  public void close() {
    informer.close();
  }
}
