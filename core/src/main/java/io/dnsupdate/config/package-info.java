/**
 * Pure logic shared by the operator and the webhook: custom resource specs turned into DNS engine
 * settings ({@link io.dnsupdate.config.IssuerSettings}, {@link io.dnsupdate.config.KeySettings}),
 * the allowed-domain check ({@link io.dnsupdate.config.DomainPolicy}), DNS name syntax ({@link
 * io.dnsupdate.config.DnsNames}), the key Secret format ({@link
 * io.dnsupdate.config.KeySecretCodec}) and nameserver configuration for BIND, Knot DNS and PowerDNS
 * ({@link io.dnsupdate.config.NameserverConfig}). No I/O.
 */
package io.dnsupdate.config;
