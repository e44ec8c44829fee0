package io.dnsupdate.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import lombok.AllArgsConstructor;
import lombok.Data;
import lombok.NoArgsConstructor;

/**
 * What a TsigKey should be. Fields left out keep null here: defaults are applied by the API server
 * from the CRD and again by the code reading the spec, so objects built in Java behave the same.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "keyName",
  "algorithm",
  "allowLegacyAlgorithm",
  "secretName",
  "importFrom",
  "rotation",
  "nameserverConfigSecretName",
  "secretPolicy"
})
@ValidationRule(
    value =
        "!has(self.algorithm) || !(self.algorithm in ['hmac-sha1', 'hmac-md5'])"
            + " || (has(self.allowLegacyAlgorithm) && self.allowLegacyAlgorithm)",
    message = "hmac-sha1 and hmac-md5 are weak: set allowLegacyAlgorithm: true to use them anyway")
@ValidationRule(
    value = "!(has(self.importFrom) && has(self.rotation))",
    message = "an imported key is never changed by the operator: remove rotation or importFrom")
@Data
public class TsigKeySpec {
  /** Default of {@code rotation.overlap}. */
  public static final String DEFAULT_OVERLAP = "24h";

  /** Default of {@code importFrom.overlap}. */
  public static final String DEFAULT_IMPORT_OVERLAP = "1h";

  /** Default of {@code importFrom.gracePeriod}. */
  public static final String DEFAULT_IMPORT_GRACE_PERIOD = "10m";

  @JsonPropertyDescription(
      "The key's name as the nameserver knows it (the name in BIND's 'key \"NAME\" { ... };'),"
          + " a fully qualified domain name. Default: <name>.<namespace>.dnsupdate.io.")
  @Pattern(ApiConstants.DNS_NAME_PATTERN)
  @Size(max = 254)
  private String keyName;

  @JsonPropertyDescription(
      "The HMAC algorithm. hmac-sha256 (default), hmac-sha384 or hmac-sha512; hmac-sha1 and"
          + " hmac-md5 only for nameservers that cannot do better, with allowLegacyAlgorithm.")
  @Default(TsigKeyAlgorithm.DEFAULT_NAME)
  private TsigKeyAlgorithm algorithm;

  @JsonPropertyDescription(
      "Allow the weak hmac-sha1 and hmac-md5 algorithms. Required for them; default false.")
  @Default("false")
  private Boolean allowLegacyAlgorithm;

  @JsonPropertyDescription(
      "The Secret (in this namespace) the operator writes the key into and owns, with data keys"
          + " keyName, algorithm and secret. Default: <name>-tsig.")
  @Pattern(ApiConstants.OBJECT_NAME_PATTERN)
  @Size(max = 253)
  private String secretName;

  @JsonPropertyDescription(
      "Use a key that already exists (for example one the nameserver's administrators made with"
          + " tsig-keygen) instead of generating one. The operator reads that Secret and never"
          + " changes it.")
  private ImportFrom importFrom;

  @JsonPropertyDescription(
      "Replace the key periodically. Without it the key is kept until deleted. During the overlap"
          + " the previous key stays in the Secret so the nameserver can be reconfigured.")
  private Rotation rotation;

  @JsonPropertyDescription(
      "The Secret (in this namespace) the operator writes ready-to-use nameserver configuration"
          + " into: a BIND key clause and update-policy grants, Knot DNS and PowerDNS equivalents."
          + " Default: <name>-nameserver-config.")
  @Pattern(ApiConstants.OBJECT_NAME_PATTERN)
  @Size(max = 253)
  private String nameserverConfigSecretName;

  @JsonPropertyDescription(
      "What happens to the key Secret when this TsigKey is deleted. Delete (default): the Secret"
          + " is owned by the TsigKey and garbage-collected with it. Retain: the Secret carries the"
          + " operator's labels but no owner reference, so it outlives the TsigKey, and a TsigKey"
          + " of the same name in this namespace takes it (and its key) over again. The"
          + " nameserver-config Secret is always owned by the TsigKey.")
  @Default(SecretPolicy.DEFAULT_NAME)
  private SecretPolicy secretPolicy;

  /** What becomes of the key Secret when its TsigKey is deleted. */
  public enum SecretPolicy {
    /** Owned by the TsigKey: garbage-collected with it. */
    Delete,
    /** Labelled, not owned: outlives the TsigKey and is taken over by its successor. */
    Retain;

    /** The CRD default. */
    public static final String DEFAULT_NAME = "Delete";
  }

  /** An existing Secret holding the key in BIND's base64 form. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @Data
  @NoArgsConstructor
  @AllArgsConstructor
  public static class ImportFrom {
    @JsonPropertyDescription("Name of the Secret (in this namespace) that holds the key.")
    @Required
    @Pattern(ApiConstants.OBJECT_NAME_PATTERN)
    @Size(max = 253)
    private String secretName;

    @JsonPropertyDescription(
        "The data key in that Secret whose value is the key as BIND writes it (the string in"
            + " secret \"...\";). Default: secret.")
    @Default(ApiConstants.DEFAULT_IMPORT_SECRET_KEY)
    @Pattern(ApiConstants.SECRET_DATA_KEY_PATTERN)
    @Size(max = 253)
    private String secretKey;

    @JsonPropertyDescription(
        "How long the previously imported key stays in the key Secret (as previousSecret) after"
            + " the key in the source Secret changes, so challenges signed with it, and a"
            + " nameserver not yet reloaded, keep working: a Go duration or ISO-8601. 0s keeps"
            + " no previous key. Default: 1h.")
    @Default(DEFAULT_IMPORT_OVERLAP)
    @Pattern(ApiConstants.DURATION_PATTERN)
    private String overlap;

    @JsonPropertyDescription(
        "How long the source Secret may be missing (as while sealed-secrets or external-secrets"
            + " re-creates it) before the TsigKey stops being Ready; meanwhile the key already"
            + " copied stays in use and the condition says the source is missing: a Go duration"
            + " or ISO-8601. Default: 10m.")
    @Default(DEFAULT_IMPORT_GRACE_PERIOD)
    @Pattern(ApiConstants.DURATION_PATTERN)
    private String gracePeriod;

    /** The Secret and data key, with the default overlap and grace period. */
    public ImportFrom(String secretName, String secretKey) {
      this(secretName, secretKey, null, null);
    }
  }

  /** When to replace a generated key, and how long the previous one keeps working. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @Data
  @NoArgsConstructor
  @AllArgsConstructor
  public static class Rotation {
    @JsonPropertyDescription(
        "How long a key lives before it is replaced: a Go duration (720h) or ISO-8601 (P30D).")
    @Required
    @Pattern(ApiConstants.DURATION_PATTERN)
    private String period;

    @JsonPropertyDescription(
        "How long the previous key stays in the Secret after a rotation, so the nameserver can be"
            + " given the new one: a Go duration or ISO-8601. Default: 24h.")
    @Default(DEFAULT_OVERLAP)
    @Pattern(ApiConstants.DURATION_PATTERN)
    private String overlap;
  }
}
