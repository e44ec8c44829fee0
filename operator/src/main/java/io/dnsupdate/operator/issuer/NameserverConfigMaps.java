package io.dnsupdate.operator.issuer;

import io.dnsupdate.api.DnsUpdateIssuer;
import io.dnsupdate.config.IssuerCredential;
import io.dnsupdate.config.IssuerSettings;
import io.dnsupdate.operator.status.ApiCallException;
import io.dnsupdate.operator.status.EventReason;
import io.dnsupdate.operator.status.EventRecorder;
import io.dnsupdate.text.LogSafe;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a Kerberos issuer's nameserver-config ConfigMap ({@link GssNameserverConfig}): {@code
 * get}, then {@code create} or {@code update} when it differs. Not watched: an informer would need
 * list and watch on every ConfigMap of the cluster; one changed or deleted by someone is put back
 * at the issuer's next probe.
 */
final class NameserverConfigMaps {
  /** What a write did. */
  enum Written {
    CREATED,
    UPDATED,
    UNCHANGED,
    /** A ConfigMap of that name exists and is not the issuer's: left alone. */
    CONFLICT
  }

  private static final Logger log = LoggerFactory.getLogger(NameserverConfigMaps.class);

  private final EventRecorder events;

  NameserverConfigMaps(EventRecorder events) {
    this.events = Objects.requireNonNull(events, "events");
  }

  /**
   * Publishes the ConfigMap of a Kerberos issuer whose spec parsed. A failed call or a foreign
   * ConfigMap is told by an Event (repeats raise its count) and does not stop the probe: the issuer
   * may work with a nameserver configured by other means.
   */
  void publish(
      DnsUpdateIssuer issuer,
      IssuerSettings settings,
      IssuerCredential.Kerberos credential,
      KubernetesClient client) {
    ConfigMap desired = GssNameserverConfig.desired(issuer, settings, credential);
    try {
      if (apply(client, issuer, desired) == Written.CONFLICT) {
        events.record(
            issuer,
            EventReason.NameserverConfigConflict,
            "ConfigMap '"
                + desired.getMetadata().getName()
                + "' exists and is not this issuer's: the operator leaves it alone and publishes"
                + " no nameserver configuration; delete or rename it");
      }
    } catch (ApiCallException e) {
      log.warn(
          "issuer={}/{} nameserver-config: {}",
          LogSafe.of(issuer.getMetadata().getNamespace()),
          LogSafe.of(issuer.getMetadata().getName()),
          LogSafe.printable(e.failure().message()));
      events.record(issuer, e.failure().reason().event(), e.failure().message());
    }
  }

  /**
   * Brings the ConfigMap to {@code desired}.
   *
   * @throws ApiCallException when a call fails (it names the call and what to grant)
   */
  static Written apply(KubernetesClient client, DnsUpdateIssuer issuer, ConfigMap desired) {
    String namespace = desired.getMetadata().getNamespace();
    String name = desired.getMetadata().getName();
    UnaryOperator<String> nothingSecret = s -> s;
    ConfigMap existing =
        ApiCallException.around(
            "get",
            "",
            "configmaps",
            namespace,
            name,
            nothingSecret,
            () -> client.configMaps().inNamespace(namespace).withName(name).get());
    if (existing == null) {
      ApiCallException.around(
          "create",
          "",
          "configmaps",
          namespace,
          name,
          nothingSecret,
          () -> client.resource(desired).create());
      return Written.CREATED;
    }
    if (!GssNameserverConfig.ours(existing, issuer)) {
      return Written.CONFLICT;
    }
    if (GssNameserverConfig.upToDate(existing, desired)) {
      return Written.UNCHANGED;
    }
    ApiCallException.around(
        "update",
        "",
        "configmaps",
        namespace,
        name,
        nothingSecret,
        () -> client.resource(GssNameserverConfig.merged(existing, desired)).update());
    return Written.UPDATED;
  }
}
