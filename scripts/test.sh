#!/usr/bin/env bash
# Installs and starts everything the tests need (Debian packages, PostgreSQL, dockerd, the local test image),
# builds, and runs the whole suite twice: on SQLite, then on PostgreSQL. Needs root (apt, dockerd).
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
postgres_url=$(./scripts/ci/start-postgres.sh)
./scripts/ci/start-dockerd.sh
./scripts/ci/build-test-image.sh

swift build --build-tests
# Suites that need PostgreSQL whatever the pass (the schema comparison) find it here.
export FLOWFORGE_TEST_POSTGRES_URL="$postgres_url"

# Serial: many suites start servers, containers and git processes, and some assert on timing (a step
# timeout that must fire promptly); run in parallel on two cores they starve each other.
echo "== test suite on SQLite =="
FLOWFORGE_TEST_DATABASE_URL= swift test --skip-build --no-parallel

echo "== test suite on PostgreSQL =="
# The database-independent suites already ran above; this pass repeats the ones that touch the database.
FLOWFORGE_TEST_DATABASE_URL="$postgres_url" swift test --skip-build --no-parallel --filter FlowForgeServerTests
