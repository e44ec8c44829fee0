/**
 * The DnsUpdateIssuer reconciler: validates the spec ({@code IssuerSettings}), resolves the TsigKey
 * and its Secret, proves with {@link io.dnsupdate.operator.issuer.IssuerProbe} that the nameserver
 * accepts the key for the zone, and reports the {@link io.dnsupdate.operator.issuer.IssuerOutcome}
 * as status.
 */
package io.dnsupdate.operator.issuer;
