/** Test fixtures: the operator on fabric8's mock API server, resource builders, a hand clock. */
package io.dnsupdate.operator.testing;
