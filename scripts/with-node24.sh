#!/usr/bin/env bash
# Runs a command with Node 24 (the runtime the Dockerfile ships) first on PATH, so the suite is
# tested on it beside the machine's Node. The binary comes from the npm registry's
# node-linux-<arch> package (fetched with npm pack, checked against the pinned integrity, no
# install scripts) and is kept under node_modules/.cache. Usage: with-node24.sh npm run test:run
set -euo pipefail
cd "$(dirname "$0")/.."
version=24.21.0
case "$(uname -m)" in
  x86_64) arch=x64 integrity=sha512-3nULszZ5X0fciYpG0t6TrdApJzAn8+FlINP6OiMX7V8HrvpATPN936U1LlReOJriLRa4e8yEqQBYCnLyPNAs7Q== ;;
  aarch64 | arm64) arch=arm64 integrity=sha512-FpJRPEz2OvvTLfjIOlNGFY9JLPMKgl5m+d4oGYBLg24kJ1mmvN1Zl/HPJgF4HDaJ51ISev1l1cRZ/DM+keXW5g== ;;
  *) echo "with-node24: no node-linux package for $(uname -m)" >&2; exit 1 ;;
esac
dir="node_modules/.cache/node-$version-linux-$arch"
if [ ! -x "$dir/bin/node" ]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  got="$(cd "$tmp" && npm pack --json --silent "node-linux-$arch@$version" | node -e 'let s="";process.stdin.on("data",(d)=>s+=d).on("end",()=>console.log(JSON.parse(s)[0].integrity))')"
  if [ "$got" != "$integrity" ]; then
    echo "with-node24: node-linux-$arch@$version has integrity $got, expected $integrity" >&2
    exit 1
  fi
  mkdir -p "$dir"
  tar -xzf "$tmp"/node-linux-"$arch"-"$version".tgz -C "$dir" --strip-components=1 package/bin/node
fi
export PATH="$PWD/$dir/bin:$PATH"
echo "with-node24: $(node --version)"
exec "$@"
