package io.dnsupdate.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * Where and how the webhook publishes dns-01 challenge records: nameservers, transport, the TsigKey
 * that signs, and the domains it may touch. Referenced from cert-manager's solver config.
 */
@Group(ApiConstants.GROUP)
@Version(ApiConstants.VERSION)
@Kind(ApiConstants.KIND_DNS_UPDATE_ISSUER)
@Plural(ApiConstants.PLURAL_DNS_UPDATE_ISSUER)
@ShortNames(ApiConstants.SHORT_NAME_DNS_UPDATE_ISSUER)
@AdditionalPrinterColumn(
    name = "Ready",
    type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status")
@AdditionalPrinterColumn(
    name = "Reason",
    type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason")
@AdditionalPrinterColumn(
    name = "Zone",
    type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = ".status.zone")
@AdditionalPrinterColumn(
    name = "Primary",
    type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = ".status.primary")
@AdditionalPrinterColumn(
    name = "Age",
    type = AdditionalPrinterColumn.Type.DATE,
    jsonPath = ".metadata.creationTimestamp")
public class DnsUpdateIssuer extends CustomResource<DnsUpdateIssuerSpec, DnsUpdateIssuerStatus>
    implements Namespaced {
  @Override
  @Required
  @JsonPropertyDescription(
      "Where and how to publish dns-01 challenge records, and for which domains.")
  public DnsUpdateIssuerSpec getSpec() {
    return super.getSpec();
  }

  @Override
  @JsonPropertyDescription("What the operator's last signed probe of the primary nameserver found.")
  public DnsUpdateIssuerStatus getStatus() {
    return super.getStatus();
  }
}
