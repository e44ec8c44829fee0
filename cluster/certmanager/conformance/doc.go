// Package conformance runs cert-manager's DNS01 webhook conformance suite (test/acme) against the
// packaged dnsupdate webhook, through the path cert-manager's controller uses in a cluster:
// cert-manager's webhook client, a real kube-apiserver and its aggregator, our webhook over HTTPS,
// and a real BIND. Everything is in the _test.go files; conformance_test.go says how to run it.
package conformance
