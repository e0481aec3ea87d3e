#!/usr/bin/env bash
# Installs PostgreSQL if missing, starts it on 127.0.0.1:5432 and makes sure the role the tests use exists.
# Prints the admin URL the test suite takes as FLOWFORGE_TEST_DATABASE_URL. Idempotent; needs root.
set -euo pipefail

if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi

version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h 2>/dev/null | awk '{print $1" "$2}' | grep -q "^$version main$"; then
  pg_createcluster "$version" main >&2
fi
if ! pg_lsclusters -h | awk '$1=="'"$version"'" && $2=="main" {print $4}' | grep -q online; then
  pg_ctlcluster "$version" main start >&2
fi

# The test suite runs many application instances at once, each with its own pool.
conf="/etc/postgresql/$version/main/postgresql.conf"
if ! grep -q "^max_connections = 500" "$conf"; then
  echo "max_connections = 500" >> "$conf"
  pg_ctlcluster "$version" main restart >&2
fi

# Wait (bounded) until the server accepts connections.
for _ in $(seq 1 60); do
  if su postgres -c "psql -qtAc 'SELECT 1'" >/dev/null 2>&1; then break; fi
  sleep 0.5
done
su postgres -c "psql -qtAc 'SELECT 1'" >/dev/null

su postgres -c "psql -qtA" >&2 <<'SQL'
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'flowforge_test') THEN
    CREATE ROLE flowforge_test LOGIN CREATEDB PASSWORD 'flowforge_test';
  END IF;
END
$$;
SQL
if ! su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname = 'flowforge_test'\"" | grep -q 1; then
  su postgres -c "createdb -O flowforge_test flowforge_test" >&2
fi

echo "postgres://flowforge_test:flowforge_test@127.0.0.1:5432/flowforge_test?sslmode=disable"
