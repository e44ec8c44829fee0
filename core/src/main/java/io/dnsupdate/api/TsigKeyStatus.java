package io.dnsupdate.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

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
  "conditions",
  "observedGeneration"
})
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
      "The latest observations. Type Ready is True when the key Secret and the nameserver"
          + " configuration Secret are up to date.")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("The metadata.generation this status was computed from.")
  private Long observedGeneration;

  public String getKeyName() {
    return keyName;
  }

  public void setKeyName(String keyName) {
    this.keyName = keyName;
  }

  public String getAlgorithm() {
    return algorithm;
  }

  public void setAlgorithm(String algorithm) {
    this.algorithm = algorithm;
  }

  public String getSecretName() {
    return secretName;
  }

  public void setSecretName(String secretName) {
    this.secretName = secretName;
  }

  public String getFingerprint() {
    return fingerprint;
  }

  public void setFingerprint(String fingerprint) {
    this.fingerprint = fingerprint;
  }

  public String getGeneratedAt() {
    return generatedAt;
  }

  public void setGeneratedAt(String generatedAt) {
    this.generatedAt = generatedAt;
  }

  public String getRotatesAt() {
    return rotatesAt;
  }

  public void setRotatesAt(String rotatesAt) {
    this.rotatesAt = rotatesAt;
  }

  public String getPreviousKeyExpiresAt() {
    return previousKeyExpiresAt;
  }

  public void setPreviousKeyExpiresAt(String previousKeyExpiresAt) {
    this.previousKeyExpiresAt = previousKeyExpiresAt;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions == null ? new ArrayList<>() : conditions;
  }

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TsigKeyStatus that
        && Objects.equals(keyName, that.keyName)
        && Objects.equals(algorithm, that.algorithm)
        && Objects.equals(secretName, that.secretName)
        && Objects.equals(fingerprint, that.fingerprint)
        && Objects.equals(generatedAt, that.generatedAt)
        && Objects.equals(rotatesAt, that.rotatesAt)
        && Objects.equals(previousKeyExpiresAt, that.previousKeyExpiresAt)
        && Objects.equals(conditions, that.conditions)
        && Objects.equals(observedGeneration, that.observedGeneration);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        keyName,
        algorithm,
        secretName,
        fingerprint,
        generatedAt,
        rotatesAt,
        previousKeyExpiresAt,
        conditions,
        observedGeneration);
  }

  @Override
  public String toString() {
    return "TsigKeyStatus[keyName="
        + keyName
        + ", algorithm="
        + algorithm
        + ", secretName="
        + secretName
        + ", fingerprint="
        + fingerprint
        + ", generatedAt="
        + generatedAt
        + ", rotatesAt="
        + rotatesAt
        + ", previousKeyExpiresAt="
        + previousKeyExpiresAt
        + ", conditions="
        + conditions
        + ", observedGeneration="
        + observedGeneration
        + "]";
  }
}
