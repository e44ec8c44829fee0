/**
 * GSS-TSIG (RFC 3645): Kerberos credentials from a keytab ({@link
 * io.dnsupdate.dns.gss.KerberosIdentity}), a security context negotiated with the nameserver by
 * TKEY mode 3 (RFC 2930) and UPDATEs signed and answers verified with GSS MICs ({@link
 * io.dnsupdate.dns.gss.GssTsigSession}). The JDK's own GSS-API only; no native library.
 */
package io.dnsupdate.dns.gss;
