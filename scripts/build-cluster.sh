#!/usr/bin/env bash
# Builds the real control plane and cert-manager the real-cluster tests start, from the Go modules
# pinned in cluster/controlplane and cluster/certmanager (go.mod + go.sum), into a cache directory
# keyed by the versions. What is already built there is not built again.
#
# Prints the binary directory on its last line. DNSUPDATE_CLUSTER_CACHE moves the cache
# (default ~/.cache/dnsupdate/cluster).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

K8S_VERSION=v1.34.4
ETCD_VERSION=v3.6.4
CERT_MANAGER_VERSION=v1.19.5

# Go's own install path, for shells whose PATH lacks it
[ -x /usr/local/go/bin/go ] && PATH=$PATH:/usr/local/go/bin
command -v go >/dev/null 2>&1 || { echo "build-cluster: Go 1.24 or newer is needed (go not on PATH)" >&2; exit 2; }

# the versions must be the ones go.mod pins, or the cache key would lie
pinned() { (cd "$1" && go list -m -f '{{.Version}}' "$2"); }
check_pin() {
  local got
  got=$(pinned "$1" "$2")
  if [ "$got" != "$3" ]; then
    echo "build-cluster: $1/go.mod pins $2 $got, this script says $3: change both together" >&2
    exit 2
  fi
}
check_pin cluster/controlplane k8s.io/kubernetes "$K8S_VERSION"
check_pin cluster/controlplane go.etcd.io/etcd/server/v3 "$ETCD_VERSION"
check_pin cluster/certmanager github.com/cert-manager/cert-manager "$CERT_MANAGER_VERSION"

cache=${DNSUPDATE_CLUSTER_CACHE:-$HOME/.cache/dnsupdate/cluster}
bin="$cache/k8s-$K8S_VERSION-etcd-$ETCD_VERSION-cm-$CERT_MANAGER_VERSION"
mkdir -p "$bin"
export CGO_ENABLED=0 GOFLAGS=-buildvcs=false

# Each binary is built to a temporary name and renamed, so an interrupted build never leaves a
# binary that looks complete.
build() { # module output package ldflags
  local module=$1 out=$2 pkg=$3 ldflags=$4
  if [ -x "$bin/$out" ]; then
    echo "build-cluster: $out is built ($bin/$out)" >&2
    return
  fi
  local start=$SECONDS
  echo "build-cluster: building $out from $pkg" >&2
  (cd "$root/$module" && go build -trimpath -ldflags "-s -w $ldflags" -o "$bin/$out.partial" "$pkg")
  mv "$bin/$out.partial" "$bin/$out"
  echo "build-cluster: built $out in $((SECONDS - start)) s" >&2
}

minor=${K8S_VERSION#v1.}; minor=${minor%%.*}
k8s_ld=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  k8s_ld+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
done
cm_ld="-X github.com/cert-manager/cert-manager/pkg/util.AppVersion=$CERT_MANAGER_VERSION"

build cluster/controlplane kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver "$k8s_ld"
build cluster/controlplane kube-controller-manager k8s.io/kubernetes/cmd/kube-controller-manager "$k8s_ld"
build cluster/controlplane kubectl k8s.io/kubernetes/cmd/kubectl "$k8s_ld"
build cluster/controlplane etcd go.etcd.io/etcd/server/v3 "-X go.etcd.io/etcd/api/v3/version.GitSHA=module-$ETCD_VERSION"
build cluster/certmanager cm-controller ./cmd/cm-controller "$cm_ld"
echo "$bin"
