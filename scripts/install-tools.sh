#!/usr/bin/env bash
# Installs the real servers the tests and the demo start on 127.0.0.1 (BIND 9, Pebble, kdig),
# a JDK 17 and Maven, each only when missing. Debian/Ubuntu; uses sudo when not root.
set -euo pipefail

missing=()
command -v named >/dev/null 2>&1 || missing+=(bind9)
command -v nsupdate >/dev/null 2>&1 || missing+=(bind9-utils)
command -v dig >/dev/null 2>&1 || missing+=(bind9-dnsutils)
command -v pebble >/dev/null 2>&1 || missing+=(pebble)
command -v kdig >/dev/null 2>&1 || missing+=(knot-dnsutils)
# the secondary nameserver of the tests listens on 127.0.0.2, added to lo with ip(8)
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
command -v javac >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || missing+=(maven)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
echo "installing: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
