/**
 * Test fixtures: real BIND named, Knot DNS knotd and PowerDNS pdns_server (all {@link
 * io.dnsupdate.testkit.AuthoritativeServer}), and a real Pebble, started on 127.0.0.1; test PKI.
 */
package io.dnsupdate.testkit;
