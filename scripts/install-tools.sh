#!/usr/bin/env bash
# Installs the real servers the tests and the demo start on 127.0.0.1 (BIND 9, Knot DNS, PowerDNS
# with its SQLite backend, Pebble, kdig, an MIT Kerberos KDC), a JDK 17 and Maven, each only when
# missing. Debian/Ubuntu; uses sudo when not root.
set -euo pipefail

missing=()
command -v named >/dev/null 2>&1 || missing+=(bind9)
command -v nsupdate >/dev/null 2>&1 || missing+=(bind9-utils)
command -v dig >/dev/null 2>&1 || missing+=(bind9-dnsutils)
command -v pebble >/dev/null 2>&1 || missing+=(pebble)
command -v kdig >/dev/null 2>&1 || missing+=(knot-dnsutils)
# the Knot DNS and PowerDNS fixtures (testkit KnotServer, PowerDnsServer) load the operator's
# rendered knot.conf, pdns.txt and pdns-policy.lua; Debian starts both as services on install, the
# tests never use those (see below)
command -v knotd >/dev/null 2>&1 || missing+=(knot)
command -v pdns_server >/dev/null 2>&1 || missing+=(pdns-server)
ls /usr/lib/*/pdns/libgsqlite3backend.so >/dev/null 2>&1 || missing+=(pdns-backend-sqlite3)
command -v sqlite3 >/dev/null 2>&1 || missing+=(sqlite3)
# the secondary nameserver of the tests listens on 127.0.0.2, added to lo with ip(8)
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
# GSS-TSIG tests: a throwaway MIT Kerberos KDC (testkit KerberosKdc; krb5kdc, kdb5_util and
# kadmin.local in /usr/sbin) and kinit for nsupdate -g. Debian's krb5-config may write an
# /etc/krb5.conf while installing: the tests never read it (own KRB5_CONFIG / java.security.krb5.conf)
[ -x /usr/sbin/krb5kdc ] || command -v krb5kdc >/dev/null 2>&1 || missing+=(krb5-kdc)
[ -x /usr/sbin/kadmin.local ] || command -v kadmin.local >/dev/null 2>&1 || missing+=(krb5-admin-server)
command -v kinit >/dev/null 2>&1 || missing+=(krb5-user)
command -v javac >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || missing+=(maven)

# the real-cluster tests build Kubernetes and cert-manager from their Go modules and run a Go test
# module (cluster/health needs 1.26: client-go v0.37 requires it)
if ! command -v go >/dev/null 2>&1 && [ ! -x /usr/local/go/bin/go ]; then
  echo "install-tools: Go 1.26 or newer is needed for the real-cluster tests and is not on PATH" >&2
  echo "install-tools: install it from https://go.dev/dl/ (Debian's golang package is too old)" >&2
  exit 1
fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
echo "installing: ${missing[*]}"
# Debian starts knot and pdns-server as system services on install; pdns would also send its
# security poll to the system resolver. The tests run their own, so forbid service starts while
# installing (policy-rc.d answering 101), unless the machine has a policy of its own.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  $sudo sh -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d'
  trap '$sudo rm -f /usr/sbin/policy-rc.d' EXIT
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
