/**
 * The dnsupdate operator: {@link io.dnsupdate.operator.OperatorMain} starts the TsigKey and
 * DnsUpdateIssuer reconcilers ({@code tsigkey}, {@code issuer}), the status and event helpers they
 * share ({@code status}) and the process around them ({@code runtime}).
 */
package io.dnsupdate.operator;
