#!/usr/bin/env bash
# Starts Debian's PostgreSQL cluster (the newest installed version) when it is down, and creates
# the login role the cluster tests use: STEPWATCH_TEST_DATABASE_URL defaults to
# postgres://stepwatch_test:stepwatch_test@127.0.0.1:5432/postgres (see test/support/postgres.ts).
# The role may create databases and nothing else; it exists only on the test machine.
set -euo pipefail
as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
as_postgres=("${as_root[@]}" runuser -u postgres --)
[ "$(id -un)" = postgres ] && as_postgres=()

version=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main"' | grep -q .; then
  "${as_root[@]}" pg_createcluster "$version" main >/dev/null
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" && $4 == "online"' | grep -q .; then
  "${as_root[@]}" pg_ctlcluster "$version" main start
fi
for _ in $(seq 1 50); do
  "${as_postgres[@]}" psql -qtAc 'select 1' >/dev/null 2>&1 && break
  sleep 0.2
done
"${as_postgres[@]}" psql -v ON_ERROR_STOP=1 -qtA <<'SQL'
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'stepwatch_test') THEN
    CREATE ROLE stepwatch_test LOGIN CREATEDB PASSWORD 'stepwatch_test';
  END IF;
END $$;
SQL
echo "postgresql $version online on 127.0.0.1:5432 (role stepwatch_test)"
