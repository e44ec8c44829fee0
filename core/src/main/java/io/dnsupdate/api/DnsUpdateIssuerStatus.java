package io.dnsupdate.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import lombok.Data;

/** What the operator's last probe of a DnsUpdateIssuer found. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "zone",
  "primary",
  "keyName",
  "outsideGrants",
  "lastProbeTime",
  "conditions",
  "observedGeneration"
})
@Data
public class DnsUpdateIssuerStatus {
  @JsonPropertyDescription(
      "The zone the probe was sent to: spec.zone, or the one discovered from the SOA of the"
          + " first allowed domain.")
  private String zone;

  @JsonPropertyDescription("The nameserver (host:port) that accepted the signed probe.")
  private String primary;

  @JsonPropertyDescription(
      "Who signed the probe: the name of the TSIG key, or the Kerberos principal (GSS-TSIG).")
  private String keyName;

  @JsonPropertyDescription(
      "What the primary did with the probe's TXT record outside every challenge name, in the"
          + " least limited of the zones probed: Refused (an error rcode: it refuses loudly, so"
          + " the webhook trusts a NOERROR answer and does not read its changes back),"
          + " RefusedSilently (NOERROR without making it, as PowerDNS with its Lua policy: the"
          + " webhook reads every change back) or Allowed (the key can change the whole zone)."
          + " Absent until a probe got that far.")
  private OutsideGrants outsideGrants;

  @JsonPropertyDescription(
      "When the probe that found the current outcome was sent (RFC 3339). Later probes that find"
          + " the same outcome (Ready status, reason and message, zone, primary, key,"
          + " outsideGrants) leave it alone, so a steady issuer's status does not change every probe interval.")
  private String lastProbeTime;

  @JsonPropertyDescription(
      "The latest observations. Type Ready is True (reason Authenticated) when the primary"
          + " accepted a request signed with the key for the zone, refused a change outside the"
          + " challenge names and, where it refuses silently, made one at them; True with reason"
          + " KeyNotLimited when it let the key write outside them (the key can change the whole"
          + " zone; with spec.requireLimitedKey it is False with reason KeyTooBroad instead);"
          + " Unknown (reason Probing) while a new generation of the spec is being probed;"
          + " otherwise False and the reason says why not: KeyNotReady, NameserverUnreachable,"
          + " ZoneNotFound, KeyRejected, UpdateRefused, UpdateNotApplied, KeyTooBroad, InvalidSpec;"
          + " for Kerberos issuers also KeytabNotReady, KdcUnreachable, KerberosFailed; ..."
          + " Reconciling is True while the operator is still working towards Ready (Probing,"
          + " KeyNotReady, KeytabNotReady, a nameserver or KDC failing for less than the retry"
          + " interval); Stalled is"
          + " True when it cannot get there without a change to the spec, the key or the"
          + " nameserver (kstatus conventions).")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("The metadata.generation this status was computed from.")
  private Long observedGeneration;

  // written by hand so that a null from Java or JSON leaves an empty list, never null
  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions == null ? new ArrayList<>() : conditions;
  }
}
