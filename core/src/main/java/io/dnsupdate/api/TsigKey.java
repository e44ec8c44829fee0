package io.dnsupdate.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;
import java.util.Objects;

/** One TSIG key: generated (and rotated) by the operator, or imported from an existing Secret. */
@Group(ApiConstants.GROUP)
@Version(ApiConstants.VERSION)
@Kind(ApiConstants.KIND_TSIG_KEY)
@Plural(ApiConstants.PLURAL_TSIG_KEY)
@ShortNames(ApiConstants.SHORT_NAME_TSIG_KEY)
@AdditionalPrinterColumn(
    name = "Ready",
    type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status")
@AdditionalPrinterColumn(
    name = "Reason",
    type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason")
@AdditionalPrinterColumn(
    name = "KeyName",
    type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = ".status.keyName")
@AdditionalPrinterColumn(
    name = "Algorithm",
    type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = ".status.algorithm")
@AdditionalPrinterColumn(
    name = "Age",
    type = AdditionalPrinterColumn.Type.DATE,
    jsonPath = ".metadata.creationTimestamp")
public class TsigKey extends CustomResource<TsigKeySpec, TsigKeyStatus> implements Namespaced {

  @Override
  @JsonPropertyDescription(
      "What the key should be: name, algorithm, where the operator keeps it, import and rotation.")
  public TsigKeySpec getSpec() {
    return super.getSpec();
  }

  @Override
  @JsonPropertyDescription("What the operator observed and did; never holds key material.")
  public TsigKeyStatus getStatus() {
    return super.getStatus();
  }

  /** The key name when the spec names none: {@code <name>.<namespace>.dnsupdate.io.}. */
  public static String defaultKeyName(String name, String namespace) {
    return Objects.requireNonNull(name, "name")
        + "."
        + Objects.requireNonNull(namespace, "namespace")
        + "."
        + ApiConstants.KEY_NAME_SUFFIX;
  }

  /** {@code spec.keyName} as an absolute name (trailing dot), or the derived default. */
  public String effectiveKeyName() {
    String written = getSpec() == null ? null : getSpec().getKeyName();
    if (written == null || written.isBlank()) {
      return defaultKeyName(getMetadata().getName(), getMetadata().getNamespace());
    }
    String k = written.strip();
    return k.endsWith(".") ? k : k + ".";
  }

  /** {@code spec.algorithm}, or hmac-sha256. */
  public TsigKeyAlgorithm effectiveAlgorithm() {
    TsigKeyAlgorithm a = getSpec() == null ? null : getSpec().getAlgorithm();
    return a == null ? TsigKeyAlgorithm.HMAC_SHA256 : a;
  }

  /** {@code spec.allowLegacyAlgorithm}, or false. */
  public boolean legacyAlgorithmAllowed() {
    return getSpec() != null && Boolean.TRUE.equals(getSpec().getAllowLegacyAlgorithm());
  }

  /** {@code spec.secretName}, or {@code <name>-tsig}: the Secret the operator owns. */
  public String effectiveSecretName() {
    String s = getSpec() == null ? null : getSpec().getSecretName();
    return s == null || s.isBlank() ? getMetadata().getName() + ApiConstants.KEY_SECRET_SUFFIX : s;
  }

  /** {@code spec.nameserverConfigSecretName}, or {@code <name>-nameserver-config}. */
  public String effectiveNameserverConfigSecretName() {
    String s = getSpec() == null ? null : getSpec().getNameserverConfigSecretName();
    return s == null || s.isBlank()
        ? getMetadata().getName() + ApiConstants.NAMESERVER_CONFIG_SECRET_SUFFIX
        : s;
  }
}
