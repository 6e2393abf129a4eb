#!/usr/bin/env bash
# Installs, from Debian's packages, the real tools the tests run against when they are missing:
# openssl (test certificates), Chromium (the status page), Prometheus with promtool, and
# Alertmanager with amtool (the ops stack). Needs root (or sudo) for apt-get.
set -euo pipefail
missing=()
command -v openssl >/dev/null || missing+=(openssl)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v promtool >/dev/null || missing+=(prometheus)
command -v prometheus-alertmanager >/dev/null || missing+=(prometheus-alertmanager)
if [ ${#missing[@]} -eq 0 ]; then
  echo "test tools present: openssl, chromium, prometheus, promtool, prometheus-alertmanager, amtool"
  exit 0
fi
echo "installing with apt-get: ${missing[*]}"
as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
