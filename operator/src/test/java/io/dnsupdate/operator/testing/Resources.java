package io.dnsupdate.operator.testing;

import static org.awaitility.Awaitility.await;

import io.dnsupdate.api.ApiConstants;
import io.dnsupdate.api.DnsUpdateIssuer;
import io.dnsupdate.api.DnsUpdateIssuerSpec;
import io.dnsupdate.api.TsigKey;
import io.dnsupdate.api.TsigKeySpec;
import io.dnsupdate.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** Builds our custom resources and waits for their status in tests. */
public final class Resources {
  /** How long a test waits for the operator to get somewhere. */
  public static final Duration DEADLINE = Duration.ofSeconds(20);

  private Resources() {}

  /** A TsigKey with the spec made by {@code spec}. */
  public static TsigKey tsigKey(String namespace, String name, Consumer<TsigKeySpec> spec) {
    TsigKey key = new TsigKey();
    key.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    TsigKeySpec s = new TsigKeySpec();
    spec.accept(s);
    key.setSpec(s);
    return key;
  }

  /** A DnsUpdateIssuer signing with TsigKey {@code keyRef} for {@code domains}. */
  public static DnsUpdateIssuer issuer(
      String namespace,
      String name,
      String keyRef,
      List<String> nameservers,
      List<String> domains,
      Consumer<DnsUpdateIssuerSpec> more) {
    DnsUpdateIssuer issuer = new DnsUpdateIssuer();
    issuer.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    DnsUpdateIssuerSpec s = new DnsUpdateIssuerSpec();
    s.setNameservers(List.copyOf(nameservers));
    s.setDomains(List.copyOf(domains));
    s.setTsigKeyRef(new DnsUpdateIssuerSpec.TsigKeyRef(keyRef));
    more.accept(s);
    issuer.setSpec(s);
    return issuer;
  }

  /** A user's Secret with plain-text values (as a user would write with stringData). */
  public static Secret userSecret(String namespace, String name, Map<String, String> values) {
    Map<String, String> data = new TreeMap<>();
    values.forEach(
        (k, v) ->
            data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
    return new SecretBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .endMetadata()
        .withType("Opaque")
        .withData(data)
        .build();
  }

  /** Creates or replaces. */
  public static <T extends HasMetadata> T apply(KubernetesClient client, T resource) {
    return client.resource(resource).createOr(r -> r.update());
  }

  /** The Ready condition of a TsigKey or DnsUpdateIssuer, if any. */
  public static Optional<Condition> ready(HasMetadata resource) {
    List<Condition> conditions = null;
    if (resource instanceof TsigKey k && k.getStatus() != null) {
      conditions = k.getStatus().getConditions();
    } else if (resource instanceof DnsUpdateIssuer i && i.getStatus() != null) {
      conditions = i.getStatus().getConditions();
    }
    return Conditions.find(conditions, ApiConstants.CONDITION_READY);
  }

  /** Waits until the resource matches {@code condition} and returns it. */
  public static <T extends HasMetadata> T awaitResource(
      KubernetesClient client,
      Class<T> type,
      String namespace,
      String name,
      Predicate<T> condition) {
    return await()
        .atMost(DEADLINE)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> client.resources(type).inNamespace(namespace).withName(name).get(),
            r -> r != null && condition.test(r));
  }

  /** Waits until the Ready condition has the given reason, and returns the resource. */
  public static <T extends HasMetadata> T awaitReason(
      KubernetesClient client, Class<T> type, String namespace, String name, Enum<?> reason) {
    return awaitResource(
        client,
        type,
        namespace,
        name,
        r -> ready(r).map(c -> reason.name().equals(c.getReason())).orElse(false));
  }

  /** Waits until a Secret matches and returns it. */
  public static Secret awaitSecret(
      KubernetesClient client, String namespace, String name, Predicate<Secret> condition) {
    return await()
        .atMost(DEADLINE)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> client.secrets().inNamespace(namespace).withName(name).get(),
            s -> s != null && condition.test(s));
  }

  /** Events about the named object. */
  public static List<Event> events(KubernetesClient client, String namespace, String object) {
    return client.v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> object.equals(e.getInvolvedObject().getName()))
        .toList();
  }

  /** Waits for an Event with that reason about the named object and returns it. */
  public static Event awaitEvent(
      KubernetesClient client, String namespace, String object, Enum<?> reason) {
    return await()
        .atMost(DEADLINE)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () ->
                events(client, namespace, object).stream()
                    .filter(e -> reason.name().equals(e.getReason()))
                    .findFirst(),
            Optional::isPresent)
        .orElseThrow();
  }

  /** A plain value of a Secret's data. */
  public static String value(Secret secret, String key) {
    String v = secret.getData() == null ? null : secret.getData().get(key);
    return v == null ? null : new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8);
  }
}
