/**
 * The DnsUpdateIssuer reconciler: validates the spec ({@code IssuerSettings}), resolves the TsigKey
 * and its Secret ({@link io.dnsupdate.operator.issuer.TsigKeyEvaluator}) or logs in with a Kerberos
 * keytab ({@link io.dnsupdate.operator.issuer.KerberosEvaluator}; its nameserver-config ConfigMap
 * by {@link io.dnsupdate.operator.issuer.NameserverConfigMaps}), proves with {@link
 * io.dnsupdate.operator.issuer.IssuerProbe} that the nameserver accepts the key or principal for
 * the zone, and reports the {@link io.dnsupdate.operator.issuer.IssuerOutcome} as status.
 */
package io.dnsupdate.operator.issuer;
