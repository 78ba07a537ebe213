#!/usr/bin/env bash
# Builds one Go peer from the Go module proxy into a version-keyed folder of the peers cache.
# Usage: build-go.sh <kind> <version> <outdir> [extra...]
#   kind = kubernetes | etcd | module (see below)
# Why a shell script: it is a thin sequence of `go` commands; the Node installer decides what to build.
set -euo pipefail
kind=$1 version=$2 out=$3; shift 3
work="$out.work"
rm -rf "$work" && mkdir -p "$work" "$out"
export CGO_ENABLED=0 GOFLAGS=-mod=mod
step() { printf '[peers] %s: %s\n' "$kind@$version" "$*"; }
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)

case "$kind" in
  kubernetes)
    # k8s.io/kubernetes requires every staging module at v0.0.0 and replaces it with ./staging;
    # replace directives only apply in the main module, so a wrapper module re-declares them.
    minor=${version#v1.}; minor=${minor%%.*}; staging="v0.${version#v1.}"
    cd "$work"
    go mod init chartroom.local/peers/kubernetes >/dev/null 2>&1
    step "resolving module graph"
    gomod=$(go mod download -json "k8s.io/kubernetes@$version" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
    for m in $(sed -n 's|^[[:space:]]*\(k8s.io/[^ ]*\) => ./staging/.*|\1|p' "$gomod"); do
      go mod edit -replace="$m=$m@$staging"
    done
    go mod edit -replace="k8s.io/kubernetes=k8s.io/kubernetes@$version" -require="k8s.io/kubernetes@$version"
    # godebug lines only take effect in the main module; copy the tag's own.
    grep '^godebug' "$gomod" | while read -r _ kv; do go mod edit -godebug="$kv"; done
    pkgs="k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl"
    step "downloading modules"
    go get $pkgs >/dev/null
    ld="-s -w"
    for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
      ld="$ld -X $p.gitVersion=$version -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean -X $p.buildDate=$now -X $p.gitCommit=0000000000000000000000000000000000000000"
    done
    for p in $pkgs; do
      step "building ${p##*/} (slow on a cold cache)"
      go build -trimpath -ldflags "$ld" -o "$out/" "$p"
    done
    ;;
  etcd)
    # server/go.mod has relative replaces, so `go install` refuses it: build it from a wrapper.
    cd "$work"
    go mod init chartroom.local/peers/etcd >/dev/null 2>&1
    step "downloading modules"
    go get "go.etcd.io/etcd/server/v3@$version" >/dev/null
    step "building etcd"
    go build -trimpath -ldflags "-s -w" -o "$out/etcd" go.etcd.io/etcd/server/v3
    ;;
  module)
    # Any other Go program, built from a wrapper module rather than `go install`, so that a
    # `replace` can map a vanity path the proxy does not serve (golang.stackrox.io/kube-linter is
    # served as github.com/stackrox/kube-linter). Args: <package> <binary name> [<module>=<replacement>] [-- ldflags...]
    pkg=$1 bin=$2; shift 2
    replace=""; if [ $# -gt 0 ] && [ "$1" != "--" ]; then replace=$1; shift; fi
    [ "${1:-}" = "--" ] && shift
    cd "$work"
    go mod init chartroom.local/peers/wrapper >/dev/null 2>&1
    if [ -n "$replace" ]; then
      go mod edit -replace="${replace%%=*}=${replace#*=}@$version" -require="${replace%%=*}@$version"
    fi
    step "downloading modules"
    # With a replace, the pinned require already names the version; -mod=mod fills in the rest.
    if [ -n "$replace" ]; then go mod download >/dev/null; else go get "$pkg@$version" >/dev/null; fi
    step "building $bin"
    go build -trimpath -ldflags "-s -w $*" -o "$out/$bin" "$pkg"
    ;;
  *) echo "unknown kind $kind" >&2; exit 2 ;;
esac
rm -rf "$work"
step "done"
