#!/usr/bin/env bash
# The local demo: a real certificate issued end to end on this machine. Starts a real BIND named,
# a real Pebble ACME server, an embedded Kubernetes API, the operator and the webhook, then orders
# a certificate for example.test, *.example.test and a.b.example.test and prints every step.
# Flags (after --help) point it at your own nameserver and ACME directory instead.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-tools.sh
mvn -B -ntp -q install -DskipTests
exec mvn -B -ntp -q -pl e2e exec:exec \
  -Dexec.executable=java \
  -Dexec.workingdir="$PWD" \
  -Dexec.args="-cp %classpath io.dnsupdate.e2e.demo.LocalDemo $*"
