#!/usr/bin/env bash
# Installs, from Debian's packages, the real tools the tests run against when they are missing:
# openssl (test certificates), Chromium (the status page), Prometheus with promtool, Alertmanager
# with amtool (the ops stack) and PostgreSQL (cluster mode). Then starts PostgreSQL and makes sure
# the role the cluster tests log in with exists (each test creates and drops its own database).
# Needs root (or sudo) for apt-get and to start PostgreSQL.
set -euo pipefail
as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)

missing=()
command -v openssl >/dev/null || missing+=(openssl)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v promtool >/dev/null || missing+=(prometheus)
command -v prometheus-alertmanager >/dev/null || missing+=(prometheus-alertmanager)
command -v pg_ctlcluster >/dev/null && ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
if [ ${#missing[@]} -eq 0 ]; then
  echo "test tools present: openssl, chromium, prometheus, promtool, prometheus-alertmanager, amtool, postgresql"
else
  echo "installing with apt-get: ${missing[*]}"
  "${as_root[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

bash "$(dirname "$0")/start-test-postgres.sh"
