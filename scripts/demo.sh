#!/usr/bin/env bash
# The local demo: a real certificate issued end to end on this machine. Starts a real BIND named,
# a real Pebble ACME server, an embedded Kubernetes API, the operator and the webhook, then orders
# a certificate for example.test, *.example.test and a.b.example.test and prints every step.
# Flags (see --help) point it at your own nameserver and ACME directory instead.
#
# --help and usage errors are answered before any build. The demo is built only when a source or
# pom.xml is newer than the last build (mvn compile, no jars), and never installed into ~/.m2: it
# runs with plain java on the reactor's target/classes and the dependencies in ~/.m2 (the
# classpath the build writes to e2e/target/demo.classpath), so its own message and exit code (2
# for a usage error) are what you see.
set -euo pipefail
cd "$(dirname "$0")/.."

# what the demo is built from: e2e and the modules it depends on (mvn -pl e2e -am)
modules=(testkit core webhook operator e2e)
classes=e2e/target/classes
classpath_file=e2e/target/demo.classpath
build_stamp=e2e/target/demo.stamp
build_log=e2e/target/demo-build.log
options_src=e2e/src/main/java/io/dnsupdate/e2e/demo/DemoOptions.java
options_classes=e2e/target/demo-options

# newer STAMP PATH...: true when STAMP is missing or a file under a PATH was modified after it
newer() {
  local stamp=$1
  shift
  [ ! -e "$stamp" ] || [ -n "$(find "$@" -type f -newer "$stamp" -print -quit)" ]
}

# stamp_from START FILE: FILE's mtime becomes START, when the build began, so that a source
# edited during the build still counts as newer next time
stamp_from() {
  touch -d "@$1" "$2"
}

# true when the last build's classpath is there, entry by entry
built() {
  [ -d "$classes" ] && [ -s "$classpath_file" ] || return 1
  local entry
  local IFS=:
  for entry in $(<"$classpath_file"); do
    [ -e "$entry" ] || return 1
  done
}

# 1. the flags, without Maven: DemoOptions needs only the JDK and JDK-only classes of core (the
#    option parser io.dnsupdate.cli), so javac compiles it alone (once per change) and it answers
#    --help and usage errors itself
command -v javac >/dev/null 2>&1 || scripts/install-tools.sh
checked=no
if newer "$options_classes/.stamp" "$options_src" core/src/main/java; then
  started=$(date +%s.%N)
  rm -rf "$options_classes"
  mkdir -p "$options_classes"
  if javac -nowarn -implicit:class -d "$options_classes" \
    -sourcepath e2e/src/main/java:core/src/main/java "$options_src" 2>/dev/null; then
    stamp_from "$started" "$options_classes/.stamp"
  fi
fi
if [ -e "$options_classes/.stamp" ]; then
  java -cp "$options_classes" io.dnsupdate.e2e.demo.DemoOptions "$@" || exit $?
  checked=yes
fi
if [ "$checked" = yes ]; then
  for arg in "$@"; do
    case "$arg" in
      -h | --help) exit 0 ;;
    esac
  done
fi

# 2. the servers the demo starts (named, Pebble) and Maven, each only when missing
scripts/install-tools.sh

# 3. build only what changed since the last build; one build at a time in this checkout
mkdir -p e2e/target
if command -v flock >/dev/null 2>&1; then
  exec 9>e2e/target/demo-build.lock
  flock 9
fi
sources=(pom.xml)
for m in "${modules[@]}"; do
  sources+=("$m/pom.xml" "$m/src")
done
if newer "$build_stamp" "${sources[@]}" || ! built; then
  echo "demo: building the demo (mvn compile; log: $build_log)"
  started=$(date +%s.%N)
  rm -f "$build_stamp"
  # compile, not package: the classpath then names the reactor's target/classes, not its jars,
  # whose manifests would add the operator's and webhook's lib/ folders (and a second HTTP client)
  if ! mvn -B -ntp -Dstyle.color=never -Dmaven.test.skip=true -pl e2e -am \
    compile dependency:build-classpath \
    -Dmdep.includeScope=runtime -Dmdep.outputFile=target/demo.classpath \
    >"$build_log" 2>&1; then
    echo "demo: the build failed; the end of $build_log:" >&2
    # Maven 3.8 writes ESC[0m even with -B; keep it off the terminal
    tail -n 40 "$build_log" | sed $'s/\x1b\\[[0-9;]*m//g' >&2
    exit 1
  fi
  stamp_from "$started" "$build_stamp"
fi
exec 9>&-

# 4. the demo itself: its own output and exit code
exec java -cp "$classes:$(<"$classpath_file")" io.dnsupdate.e2e.demo.LocalDemo "$@"
