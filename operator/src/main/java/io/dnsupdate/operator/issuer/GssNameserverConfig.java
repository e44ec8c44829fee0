package io.dnsupdate.operator.issuer;

import io.dnsupdate.api.ApiConstants;
import io.dnsupdate.api.DnsUpdateIssuer;
import io.dnsupdate.config.GssBindConfigRenderer;
import io.dnsupdate.config.IssuerCredential;
import io.dnsupdate.config.IssuerSettings;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The nameserver-config ConfigMap of a Kerberos issuer: what BIND needs to accept its GSS-TSIG
 * UPDATEs for exactly its challenge names. A ConfigMap, not a Secret as for a TsigKey: it holds no
 * secret (a principal and names), so whoever configures the nameserver can read it without being
 * allowed to read Secrets. Owned by the issuer: it goes when the issuer goes. No I/O.
 */
final class GssNameserverConfig {
  /** The ConfigMap's name is the issuer's with this suffix. */
  static final String SUFFIX = "-nameserver-config";

  /** Data key: the whole commented snippet (options line, update-policy block). */
  static final String DATA_SNIPPET = "named.conf.snippet";

  /** Data key: the bare grant lines, as a TsigKey's nameserver-config Secret has them. */
  static final String DATA_UPDATE_POLICY = "update-policy";

  /** {@code app.kubernetes.io/component} of the ConfigMap. */
  static final String COMPONENT = "nameserver-config";

  /** Label naming the issuer the ConfigMap belongs to. */
  static final String LABEL_ISSUER = ApiConstants.GROUP + "/dnsupdateissuer";

  private GssNameserverConfig() {}

  static String name(DnsUpdateIssuer issuer) {
    return issuer.getMetadata().getName() + SUFFIX;
  }

  /** The ConfigMap for {@code issuer}, whose settings parsed with Kerberos {@code credential}. */
  static ConfigMap desired(
      DnsUpdateIssuer issuer, IssuerSettings settings, IssuerCredential.Kerberos credential) {
    String namespace = issuer.getMetadata().getNamespace();
    Map<String, String> data = new TreeMap<>();
    data.put(
        DATA_SNIPPET,
        GssBindConfigRenderer.snippet(
            namespace + "/" + issuer.getMetadata().getName(),
            credential.principal(),
            settings.servers().stream().map(credential::servicePrincipalFor).toList(),
            settings.zone(),
            settings.domainPolicy().challengeNames()));
    data.put(
        DATA_UPDATE_POLICY,
        GssBindConfigRenderer.grants(
            credential.principal(), settings.domainPolicy().challengeNames()));
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(name(issuer))
        .withNamespace(namespace)
        .withLabels(labels(issuer))
        .withOwnerReferences(List.of(ownerReference(issuer)))
        .endMetadata()
        .withData(data)
        .build();
  }

  static Map<String, String> labels(DnsUpdateIssuer issuer) {
    Map<String, String> labels = new TreeMap<>();
    labels.put(ApiConstants.LABEL_MANAGED_BY, ApiConstants.MANAGED_BY);
    labels.put(ApiConstants.LABEL_PART_OF, ApiConstants.MANAGED_BY);
    labels.put(ApiConstants.LABEL_COMPONENT, COMPONENT);
    labels.put(LABEL_ISSUER, issuer.getMetadata().getName());
    return labels;
  }

  static OwnerReference ownerReference(DnsUpdateIssuer issuer) {
    return new OwnerReferenceBuilder()
        .withApiVersion(ApiConstants.API_VERSION)
        .withKind(ApiConstants.KIND_DNS_UPDATE_ISSUER)
        .withName(issuer.getMetadata().getName())
        .withUid(issuer.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  /**
   * True when the ConfigMap is this issuer's to write: owned by it, or labelled for it by the
   * operator (left by an issuer of the same name). Anything else someone else made.
   */
  static boolean ours(ConfigMap existing, DnsUpdateIssuer issuer) {
    ObjectMeta m = existing.getMetadata();
    String uid = issuer.getMetadata().getUid();
    boolean owned =
        uid != null
            && nonNull(m.getOwnerReferences()).stream().anyMatch(r -> uid.equals(r.getUid()));
    Map<String, String> labels = nonNull(m.getLabels());
    return owned
        || (ApiConstants.MANAGED_BY.equals(labels.get(ApiConstants.LABEL_MANAGED_BY))
            && issuer.getMetadata().getName().equals(labels.get(LABEL_ISSUER)));
  }

  /** True when {@code existing} has the data, our labels and exactly our owner reference. */
  static boolean upToDate(ConfigMap existing, ConfigMap desired) {
    ObjectMeta e = existing.getMetadata();
    ObjectMeta d = desired.getMetadata();
    return Objects.equals(nonNull(existing.getData()), desired.getData())
        && nonNull(e.getLabels()).entrySet().containsAll(d.getLabels().entrySet())
        && ourOwners(e).equals(List.of(d.getOwnerReferences().get(0).getUid()));
  }

  /**
   * {@code existing} with {@code desired}'s data, labels and owner reference; keeps its
   * resourceVersion (a concurrent change fails the update) and what others added.
   */
  static ConfigMap merged(ConfigMap existing, ConfigMap desired) {
    ObjectMeta e = existing.getMetadata();
    Map<String, String> labels = new LinkedHashMap<>(nonNull(e.getLabels()));
    labels.putAll(desired.getMetadata().getLabels());
    List<OwnerReference> owners = new ArrayList<>();
    for (OwnerReference r : nonNull(e.getOwnerReferences())) {
      if (!isIssuer(r)) {
        owners.add(r);
      }
    }
    owners.addAll(desired.getMetadata().getOwnerReferences());
    return new ConfigMapBuilder(existing)
        .editMetadata()
        .withLabels(labels)
        .withOwnerReferences(owners)
        .endMetadata()
        .withData(desired.getData())
        .withBinaryData(null)
        .build();
  }

  private static List<String> ourOwners(ObjectMeta e) {
    return nonNull(e.getOwnerReferences()).stream()
        .filter(GssNameserverConfig::isIssuer)
        .map(OwnerReference::getUid)
        .toList();
  }

  private static boolean isIssuer(OwnerReference r) {
    return ApiConstants.KIND_DNS_UPDATE_ISSUER.equals(r.getKind())
        && ApiConstants.API_VERSION.equals(r.getApiVersion());
  }

  private static <K, V> Map<K, V> nonNull(Map<K, V> map) {
    return map == null ? Map.of() : map;
  }

  private static <T> List<T> nonNull(List<T> list) {
    return list == null ? List.of() : list;
  }
}
