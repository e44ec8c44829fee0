/** Test fixtures: a real BIND named and a real Pebble started on 127.0.0.1, and test PKI. */
package io.dnsupdate.testkit;
