/**
 * The DNS UPDATE engine: TSIG credentials or a GSS-TSIG context ({@code GssTsigContext}, Kerberos,
 * RFC 3645; the Kerberos parts live in {@code io.dnsupdate.dns.gss}), RFC 2136 add/delete of single
 * TXT values over TCP, UDP or DNS over TLS, zone discovery by SOA queries and propagation checks.
 * TCP and TLS messages share a few persistent, pipelined connections per nameserver ({@code
 * ConnectionPool}, RFC 7766).
 */
package io.dnsupdate.dns;
