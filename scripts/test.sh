#!/usr/bin/env bash
# Runs every test: unit tests, tests against a real BIND named and Pebble, chart tests, end to end.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-tools.sh
exec mvn -B -ntp verify "$@"
