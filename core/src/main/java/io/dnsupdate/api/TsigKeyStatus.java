package io.dnsupdate.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import lombok.Data;

/** What the operator observed and did for a TsigKey. Never holds key material. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "keyName",
  "algorithm",
  "secretName",
  "fingerprint",
  "generatedAt",
  "rotatesAt",
  "previousKeyExpiresAt",
  "importSecretMissingSince",
  "conditions",
  "observedGeneration"
})
@Data
public class TsigKeyStatus {
  @JsonPropertyDescription("The key name in use, as the nameserver must know it.")
  private String keyName;

  @JsonPropertyDescription("The HMAC algorithm in use.")
  private String algorithm;

  @JsonPropertyDescription("The Secret (in this namespace) holding the key in use.")
  private String secretName;

  @JsonPropertyDescription(
      "A non-secret identifier of the key bytes (sha256: and 16 hex digits of SHA-256 over them),"
          + " to compare keys across Secrets and nameservers without showing them. Changes when"
          + " the key changes.")
  private String fingerprint;

  @JsonPropertyDescription("When the key in use was generated or imported (RFC 3339).")
  private String generatedAt;

  @JsonPropertyDescription("When the key will be replaced (RFC 3339); absent without rotation.")
  private String rotatesAt;

  @JsonPropertyDescription(
      "When the previous key, still kept in the Secret after a rotation, stops being kept"
          + " (RFC 3339); absent outside a rotation overlap.")
  private String previousKeyExpiresAt;

  @JsonPropertyDescription(
      "Since when the Secret named in importFrom has been missing (RFC 3339); absent while it"
          + " exists. During importFrom.gracePeriod the key already copied stays in use.")
  private String importSecretMissingSince;

  @JsonPropertyDescription(
      "The latest observations. Type Ready is True when the key Secret and the nameserver"
          + " configuration Secret are up to date (reason ImportSecretMissing while the Secret to"
          + " import is missing within its grace period and the copied key stays in use)."
          + " Reconciling is True while the operator waits for the Secret to import"
          + " (ImportSecretMissing, ImportSecretNotFound); Stalled is True when it cannot go"
          + " on without a change to the spec or a Secret (InvalidSpec, SecretConflict,"
          + " ImportSecretInvalid) (kstatus conventions).")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("The metadata.generation this status was computed from.")
  private Long observedGeneration;

  // written by hand so that a null from Java or JSON leaves an empty list, never null
  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions == null ? new ArrayList<>() : conditions;
  }
}
