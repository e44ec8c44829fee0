/**
 * The custom resources ({@link io.dnsupdate.api.TsigKey}, {@link io.dnsupdate.api.DnsUpdateIssuer})
 * as plain Jackson POJOs from which the build generates the CRDs, and the names every module shares
 * ({@link io.dnsupdate.api.ApiConstants}).
 */
package io.dnsupdate.api;
