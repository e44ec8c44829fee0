package io.dnsupdate.operator.tsigkey;

import io.dnsupdate.api.ApiConstants;
import io.dnsupdate.api.TsigKey;
import io.dnsupdate.config.InvalidKeySecretException;
import io.dnsupdate.config.KeyMaterial;
import io.dnsupdate.config.KeySecretCodec;
import io.dnsupdate.config.KeySettings;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The metadata of the Secrets a TsigKey owns (labels, owner reference, annotations), how to tell
 * whether an existing Secret is ours, and how to read the key from one. No I/O.
 */
public final class KeySecrets {
  /** Annotation on a key Secret: when its current key was generated or imported (RFC 3339). */
  public static final String ANNOTATION_GENERATED_AT = ApiConstants.GROUP + "/generated-at";

  /** {@code app.kubernetes.io/component} of key Secrets. */
  public static final String COMPONENT_KEY = "tsig-key";

  /** {@code app.kubernetes.io/component} of nameserver-config Secrets. */
  public static final String COMPONENT_NAMESERVER_CONFIG = "nameserver-config";

  /** Label selector of every Secret the operator writes. */
  public static final String MANAGED_SELECTOR =
      ApiConstants.LABEL_MANAGED_BY + "=" + ApiConstants.MANAGED_BY;

  /** Label selector of the key Secrets the operator writes. */
  public static final String KEY_SECRET_SELECTOR =
      MANAGED_SELECTOR + "," + ApiConstants.LABEL_COMPONENT + "=" + COMPONENT_KEY;

  private KeySecrets() {}

  /** A key read from a key Secret, with the time it was generated. */
  public record StoredKey(KeyMaterial material, Instant generatedAt) {}

  /** Labels of a Secret owned by {@code key}. */
  public static Map<String, String> labels(TsigKey key, String component) {
    Map<String, String> labels = new TreeMap<>();
    labels.put(ApiConstants.LABEL_MANAGED_BY, ApiConstants.MANAGED_BY);
    labels.put(ApiConstants.LABEL_PART_OF, ApiConstants.MANAGED_BY);
    labels.put(ApiConstants.LABEL_COMPONENT, component);
    labels.put(ApiConstants.LABEL_TSIG_KEY, key.getMetadata().getName());
    return labels;
  }

  /** The controller owner reference to {@code key}: the Secret goes when the TsigKey goes. */
  public static OwnerReference ownerReference(TsigKey key) {
    return new OwnerReferenceBuilder()
        .withApiVersion(ApiConstants.API_VERSION)
        .withKind(ApiConstants.KIND_TSIG_KEY)
        .withName(key.getMetadata().getName())
        .withUid(key.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  /** The annotation {@code kubectl apply} (client-side, Argo CD's default) leaves behind. */
  static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

  /**
   * Why the Secret is not this TsigKey's to write, or empty when it is. It is when it is owned by
   * the TsigKey, or labelled for it by the operator (a Secret kept by {@code secretPolicy: Retain},
   * restored from a backup, or left by a TsigKey of the same name is taken over), and nobody
   * applies it: a Secret that {@code kubectl apply}, Argo CD or Flux put there (a
   * last-applied-configuration annotation, or a field manager with operation Apply; the operator
   * only ever creates and updates) belongs to that tool, which would put its own data back after
   * every write of the operator's.
   */
  public static Optional<String> conflict(Secret secret, TsigKey key) {
    if (!managedBy(secret, key)) {
      return Optional.of(
          "it is not managed by TsigKey '"
              + key.getMetadata().getName()
              + "' (no owner reference or dnsupdate.io/tsigkey label for it)");
    }
    return foreignApplier(secret)
        .map(
            who ->
                "it carries the operator's labels but "
                    + who
                    + ", so the operator's writes would be undone");
  }

  /** Who else applies the Secret, if anyone. */
  static Optional<String> foreignApplier(Secret secret) {
    ObjectMeta m = secret.getMetadata();
    if (nonNull(m.getAnnotations()).containsKey(LAST_APPLIED)) {
      return Optional.of("'kubectl apply' (or a GitOps tool applying the same way) manages it");
    }
    if (m.getManagedFields() != null) {
      return m.getManagedFields().stream()
          .filter(f -> "Apply".equals(f.getOperation()))
          .map(f -> "field manager '" + f.getManager() + "' applies it (server-side apply)")
          .findFirst();
    }
    return Optional.empty();
  }

  /**
   * True when the Secret is owned by this TsigKey, or labelled for it by the operator (a Secret
   * restored from a backup, or left by a TsigKey of the same name, is adopted).
   */
  public static boolean managedBy(Secret secret, TsigKey key) {
    ObjectMeta m = secret.getMetadata();
    String uid = key.getMetadata().getUid();
    boolean owned =
        m.getOwnerReferences() != null
            && uid != null
            && m.getOwnerReferences().stream().anyMatch(r -> uid.equals(r.getUid()));
    Map<String, String> labels = m.getLabels() == null ? Map.of() : m.getLabels();
    boolean labelled =
        ApiConstants.MANAGED_BY.equals(labels.get(ApiConstants.LABEL_MANAGED_BY))
            && key.getMetadata().getName().equals(labels.get(ApiConstants.LABEL_TSIG_KEY));
    return owned || labelled;
  }

  /** A new Secret owned by {@code key}. */
  public static Secret build(
      TsigKey key,
      String name,
      String component,
      Map<String, String> data,
      Map<String, String> annotations) {
    return build(key, name, component, data, annotations, true);
  }

  /** A new Secret labelled for {@code key}, owned by it when {@code owned}. */
  static Secret build(
      TsigKey key,
      String name,
      String component,
      Map<String, String> data,
      Map<String, String> annotations,
      boolean owned) {
    return new SecretBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(key.getMetadata().getNamespace())
        .withLabels(labels(key, component))
        .withAnnotations(annotations.isEmpty() ? null : new TreeMap<>(annotations))
        .withOwnerReferences(owned ? List.of(ownerReference(key)) : null)
        .endMetadata()
        .withType("Opaque")
        .withData(new TreeMap<>(data))
        .build();
  }

  /**
   * The key Secret holding {@code material}, generated at {@code generatedAt}; owned by the TsigKey
   * unless its {@code secretPolicy} is Retain.
   */
  public static Secret keySecret(
      TsigKey key, KeySettings settings, KeyMaterial material, Instant generatedAt) {
    return build(
        key,
        settings.secretName(),
        COMPONENT_KEY,
        KeySecretCodec.toData(material),
        Map.of(ANNOTATION_GENERATED_AT, format(generatedAt)),
        !settings.retainSecret());
  }

  /**
   * True when {@code existing} already has what {@code desired} asks for: the same data, our labels
   * and annotations (others may have added more), and exactly the owner reference to a TsigKey that
   * {@code desired} has (none for a retained Secret).
   */
  public static boolean upToDate(Secret existing, Secret desired) {
    ObjectMeta e = existing.getMetadata();
    ObjectMeta d = desired.getMetadata();
    return Objects.equals(nonNull(existing.getData()), nonNull(desired.getData()))
        && (existing.getStringData() == null || existing.getStringData().isEmpty())
        && Objects.equals(existing.getType(), desired.getType())
        && nonNull(e.getLabels()).entrySet().containsAll(nonNull(d.getLabels()).entrySet())
        && nonNull(e.getAnnotations())
            .entrySet()
            .containsAll(nonNull(d.getAnnotations()).entrySet())
        && ourOwners(e, d)
            .equals(nonNull(d.getOwnerReferences()).stream().map(OwnerReference::getUid).toList());
  }

  /** The uids of the owner references of {@code e} that {@link #merged} would replace. */
  private static List<String> ourOwners(ObjectMeta e, ObjectMeta d) {
    String name = d.getLabels().get(ApiConstants.LABEL_TSIG_KEY);
    return nonNull(e.getOwnerReferences()).stream()
        .filter(r -> ours(r, name))
        .map(OwnerReference::getUid)
        .toList();
  }

  private static boolean ours(OwnerReference r, String keyName) {
    return ApiConstants.KIND_TSIG_KEY.equals(r.getKind())
        && ApiConstants.API_VERSION.equals(r.getApiVersion())
        && (keyName.equals(r.getName()) || Boolean.TRUE.equals(r.getController()));
  }

  /**
   * {@code existing} changed to carry {@code desired}'s data, labels, annotations and owner
   * reference; keeps its resourceVersion (so the update fails on a concurrent change) and whatever
   * others added. A stale owner reference to a TsigKey of the same name is replaced, and removed
   * when {@code desired} has none (secretPolicy Retain).
   */
  public static Secret merged(Secret existing, Secret desired) {
    ObjectMeta e = existing.getMetadata();
    ObjectMeta d = desired.getMetadata();
    Map<String, String> labels = new LinkedHashMap<>(nonNull(e.getLabels()));
    labels.putAll(nonNull(d.getLabels()));
    Map<String, String> annotations = new LinkedHashMap<>(nonNull(e.getAnnotations()));
    annotations.putAll(nonNull(d.getAnnotations()));
    List<OwnerReference> owners = new ArrayList<>();
    String name = d.getLabels().get(ApiConstants.LABEL_TSIG_KEY);
    for (OwnerReference r : nonNull(e.getOwnerReferences())) {
      if (!ours(r, name)) {
        owners.add(r);
      }
    }
    owners.addAll(nonNull(d.getOwnerReferences()));
    return new SecretBuilder(existing)
        .editMetadata()
        .withLabels(labels)
        .withAnnotations(annotations.isEmpty() ? null : annotations)
        .withOwnerReferences(owners)
        .endMetadata()
        .withType(desired.getType())
        .withData(desired.getData())
        .withStringData(null)
        .build();
  }

  /**
   * The key in a key Secret and when it was generated (the annotation, else the Secret's creation
   * time, else null).
   *
   * @throws InvalidKeySecretException when the data is missing or unreadable
   */
  public static StoredKey read(Secret secret) {
    KeyMaterial material = KeySecretCodec.fromSecret(secret);
    Instant generatedAt =
        parse(nonNull(secret.getMetadata().getAnnotations()).get(ANNOTATION_GENERATED_AT))
            .or(() -> parse(secret.getMetadata().getCreationTimestamp()))
            .orElse(null);
    return new StoredKey(material, generatedAt);
  }

  /** RFC 3339 text as the operator writes it (UTC, milliseconds when not zero). */
  public static String format(Instant instant) {
    return DateTimeFormatter.ISO_INSTANT.format(instant);
  }

  /** Parses RFC 3339 text; empty for null or garbage. */
  public static Optional<Instant> parse(String text) {
    if (text == null || text.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(OffsetDateTime.parse(text.strip()).toInstant());
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static <K, V> Map<K, V> nonNull(Map<K, V> map) {
    return map == null ? Map.of() : map;
  }

  private static <T> List<T> nonNull(List<T> list) {
    return list == null ? List.of() : list;
  }
}
