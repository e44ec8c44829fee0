/** An ACME client (acme4j) playing cert-manager's part: orders, dns-01 challenges, certificate. */
package io.dnsupdate.e2e.acme;
