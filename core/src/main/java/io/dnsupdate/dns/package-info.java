/**
 * The DNS UPDATE engine: TSIG credentials, RFC 2136 add/delete of single TXT values over TCP, UDP
 * or DNS over TLS, zone discovery by SOA queries and propagation checks.
 */
package io.dnsupdate.dns;
