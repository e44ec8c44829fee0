// Package health tests the Argo CD and Flux health checks shipped in the chart (gitops/) against real
// TsigKeys and DnsUpdateIssuers read from a real API server; see health_test.go.
package health
