#!/usr/bin/env bash
# Runs every test: unit tests, tests against a real BIND named and Pebble, chart tests, end to end,
# and the real-cluster tests (kube-apiserver, kube-controller-manager and cert-manager built from
# their Go modules by scripts/build-cluster.sh, which skips what is already built).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-tools.sh
scripts/build-cluster.sh >/dev/null
exec mvn -B -ntp verify "$@"
