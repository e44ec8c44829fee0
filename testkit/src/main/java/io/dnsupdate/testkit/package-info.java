/**
 * Test fixtures: real BIND named, Knot DNS knotd and PowerDNS pdns_server (all {@link
 * io.dnsupdate.testkit.AuthoritativeServer}), a real Pebble and a throwaway MIT Kerberos KDC
 * ({@link io.dnsupdate.testkit.KerberosKdc}), started on 127.0.0.1; test PKI.
 */
package io.dnsupdate.testkit;
