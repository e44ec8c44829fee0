#!/usr/bin/env bash
# Builds the real control plane and cert-manager the real-cluster tests start, from the Go modules
# pinned in cluster/controlplane and cluster/certmanager (go.mod + go.sum), into a cache directory
# keyed by the versions and the modules' contents. What is already built there is not built again.
#
# Prints the binary directory (links into the cache) on its last line. DNSUPDATE_CLUSTER_CACHE
# moves the cache (default ~/.cache/dnsupdate/cluster).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

K8S_VERSION=v1.34.4
ETCD_VERSION=v3.6.4
CERT_MANAGER_VERSION=v1.19.5

# Go's own install path, for shells whose PATH lacks it
[ -x /usr/local/go/bin/go ] && PATH=$PATH:/usr/local/go/bin
command -v go >/dev/null 2>&1 || { echo "build-cluster: Go 1.26 or newer is needed (go not on PATH)" >&2; exit 2; }

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
# Keyed by the versions and by a digest of what else decides the binaries: each module's go.mod and
# go.sum, and our own cm-controller source. A change to either builds anew; nothing is overwritten.
digest() { (cd "$1" && find . -name go.mod -o -name go.sum -o -path './cmd/*' -name '*.go' | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-12); }
k8s_dir="$cache/controlplane-$K8S_VERSION-etcd-$ETCD_VERSION-$(digest cluster/controlplane)"
cm_dir="$cache/certmanager-$CERT_MANAGER_VERSION-$(digest cluster/certmanager)"
bin="$cache/bin-$(basename "$k8s_dir")-$(basename "$cm_dir")"
mkdir -p "$k8s_dir" "$cm_dir" "$bin"
export CGO_ENABLED=0 GOFLAGS=-buildvcs=false

# Each binary is built to a temporary name and renamed, so an interrupted build never leaves a
# binary that looks complete.
build() { # module directory output package ldflags
  local module=$1 dir=$2 out=$3 pkg=$4 ldflags=$5
  if [ ! -x "$dir/$out" ]; then
    local start=$SECONDS
    echo "build-cluster: building $out from $pkg" >&2
    (cd "$root/$module" && go build -trimpath -ldflags "-s -w $ldflags" -o "$dir/$out.partial" "$pkg")
    mv "$dir/$out.partial" "$dir/$out"
    echo "build-cluster: built $out in $((SECONDS - start)) s" >&2
  else
    echo "build-cluster: $out is built ($dir/$out)" >&2
  fi
  ln -sfn "$dir/$out" "$bin/$out"
}

minor=${K8S_VERSION#v1.}; minor=${minor%%.*}
k8s_ld=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  k8s_ld+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
done
cm_ld="-X github.com/cert-manager/cert-manager/pkg/util.AppVersion=$CERT_MANAGER_VERSION"

build cluster/controlplane "$k8s_dir" kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver "$k8s_ld"
build cluster/controlplane "$k8s_dir" kube-controller-manager k8s.io/kubernetes/cmd/kube-controller-manager "$k8s_ld"
build cluster/controlplane "$k8s_dir" kubectl k8s.io/kubernetes/cmd/kubectl "$k8s_ld"
build cluster/controlplane "$k8s_dir" etcd go.etcd.io/etcd/server/v3 "-X go.etcd.io/etcd/api/v3/version.GitSHA=module-$ETCD_VERSION"
build cluster/certmanager "$cm_dir" cm-controller ./cmd/cm-controller "$cm_ld"
echo "$bin"
