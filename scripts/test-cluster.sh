#!/usr/bin/env bash
# Runs only the tests against a real cluster: etcd, kube-apiserver, kube-controller-manager and
# cert-manager's controller built from their Go modules (scripts/build-cluster.sh, skipped when
# already built), our packaged operator and webhook, a real BIND and Pebble, and cert-manager's own
# DNS01 conformance suite. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-tools.sh
scripts/build-cluster.sh >/dev/null
exec mvn -B -ntp verify -pl cluster -am \
  -Dtest='io/dnsupdate/cluster/**' -Dsurefire.failIfNoSpecifiedTests=false "$@"
