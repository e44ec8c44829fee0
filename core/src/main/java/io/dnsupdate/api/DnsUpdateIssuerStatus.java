package io.dnsupdate.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** What the operator's last probe of a DnsUpdateIssuer found. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "zone",
  "primary",
  "keyName",
  "lastProbeTime",
  "conditions",
  "observedGeneration"
})
public class DnsUpdateIssuerStatus {
  @JsonPropertyDescription(
      "The zone the probe was sent to: spec.zone, or the one discovered from the SOA of the"
          + " first allowed domain.")
  private String zone;

  @JsonPropertyDescription("The nameserver (host:port) that accepted the signed probe.")
  private String primary;

  @JsonPropertyDescription("The name of the TSIG key that signed the probe.")
  private String keyName;

  @JsonPropertyDescription("When the nameserver was last probed (RFC 3339).")
  private String lastProbeTime;

  @JsonPropertyDescription(
      "The latest observations. Type Ready is True (reason Authenticated) when the primary"
          + " accepted a request signed with the key for the zone; otherwise the reason says why"
          + " not: KeyNotReady, NameserverUnreachable, ZoneNotFound, KeyRejected, UpdateRefused,"
          + " InvalidSpec, ...")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("The metadata.generation this status was computed from.")
  private Long observedGeneration;

  public String getZone() {
    return zone;
  }

  public void setZone(String zone) {
    this.zone = zone;
  }

  public String getPrimary() {
    return primary;
  }

  public void setPrimary(String primary) {
    this.primary = primary;
  }

  public String getKeyName() {
    return keyName;
  }

  public void setKeyName(String keyName) {
    this.keyName = keyName;
  }

  public String getLastProbeTime() {
    return lastProbeTime;
  }

  public void setLastProbeTime(String lastProbeTime) {
    this.lastProbeTime = lastProbeTime;
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
    return o instanceof DnsUpdateIssuerStatus that
        && Objects.equals(zone, that.zone)
        && Objects.equals(primary, that.primary)
        && Objects.equals(keyName, that.keyName)
        && Objects.equals(lastProbeTime, that.lastProbeTime)
        && Objects.equals(conditions, that.conditions)
        && Objects.equals(observedGeneration, that.observedGeneration);
  }

  @Override
  public int hashCode() {
    return Objects.hash(zone, primary, keyName, lastProbeTime, conditions, observedGeneration);
  }

  @Override
  public String toString() {
    return "DnsUpdateIssuerStatus[zone="
        + zone
        + ", primary="
        + primary
        + ", keyName="
        + keyName
        + ", lastProbeTime="
        + lastProbeTime
        + ", conditions="
        + conditions
        + ", observedGeneration="
        + observedGeneration
        + "]";
  }
}
