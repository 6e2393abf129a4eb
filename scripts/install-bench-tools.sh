#!/usr/bin/env bash
# Installs, from Debian's packages, what `npm run bench` compares stepwatch with when it is
# present: blackbox_exporter (http prober with oauth2 client credentials). Needs root (or sudo)
# for apt-get. The bench skips the blackbox_exporter row when the binary is missing.
set -euo pipefail
if command -v prometheus-blackbox-exporter >/dev/null; then
  echo "bench tools present: prometheus-blackbox-exporter ($(prometheus-blackbox-exporter --version 2>&1 | head -1))"
  exit 0
fi
echo "installing with apt-get: prometheus-blackbox-exporter"
as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
"${as_root[@]}" apt-get update -qq
# The package starts a system service on :9115; the bench runs its own instance on another port.
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends prometheus-blackbox-exporter >/dev/null
"${as_root[@]}" systemctl disable --now prometheus-blackbox-exporter >/dev/null 2>&1 || true
