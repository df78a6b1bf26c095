#!/usr/bin/env bash
# Builds the lab's vCenter simulator (tools/vcsim: govmomi's vcsim plus drctl's extensions) into
# .cache/vcsim/vcsim, offline, from Debian's packages: golang-go and golang-github-vmware-govmomi-dev
# (installed with apt-get when missing; needs root). The binary is rebuilt only when its sources,
# the Go toolchain or the govmomi package change. Prints the binary's path on stdout.
#   cold (apt packages present, empty Go build cache): about 1 min on 2 busy cores; warm: ~0.1 s.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=$root/.cache/vcsim
gocode=/usr/share/gocode
govmomi=$gocode/src/github.com/vmware/govmomi

if ! command -v go >/dev/null 2>&1 || [ ! -d "$govmomi/simulator" ]; then
  echo "build-vcsim: installing golang-go and golang-github-vmware-govmomi-dev with apt-get" >&2
  if [ "$(id -u)" -ne 0 ]; then
    echo "build-vcsim: run as root, or install golang-go golang-github-vmware-govmomi-dev first" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq golang-go golang-github-vmware-govmomi-dev >&2
fi

stamp=$( (cat tools/vcsim/*.go; go version; dpkg-query -W -f='${Version}' golang-github-vmware-govmomi-dev 2>/dev/null || true) | sha256sum | cut -c1-16)
if [ -x "$out/vcsim" ] && [ "$(cat "$out/stamp" 2>/dev/null)" = "$stamp" ]; then
  echo "$out/vcsim"
  exit 0
fi

mkdir -p "$out/gopath/src/drctlvcsim"
rm -f "$out/gopath/src/drctlvcsim/"*.go
cp tools/vcsim/*.go "$out/gopath/src/drctlvcsim/"
echo "build-vcsim: building $out/vcsim (offline; the first build takes about a minute)" >&2
(
  cd "$out/gopath/src/drctlvcsim"
  GO111MODULE=off GOPROXY=off GOFLAGS= GOPATH="$out/gopath:$gocode" \
    go build -trimpath -ldflags '-s -w' -o "$out/vcsim.tmp" .
)
mv "$out/vcsim.tmp" "$out/vcsim"
echo "$stamp" > "$out/stamp"
echo "$out/vcsim"
