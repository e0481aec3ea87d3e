#!/usr/bin/env bash
# Installs and starts everything the tests need (Debian packages, PostgreSQL, dockerd, the local test image),
# builds, and runs the whole suite twice: on SQLite, then on PostgreSQL. Needs root (apt, dockerd).
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
./scripts/ci/install-localstripe.sh
./scripts/ci/install-openapi-validator.sh
./scripts/ci/install-moto.sh
postgres_url=$(./scripts/ci/start-postgres.sh)
./scripts/ci/start-dockerd.sh
./scripts/ci/build-test-image.sh

build_log=$(mktemp)
trap 'rm -f "$build_log"' EXIT
swift build --build-tests 2>&1 | tee "$build_log"
# FlowForge's own sources build without warnings, and stay so: a new warning in Sources/ fails the run.
# (Dependencies live under .build/ and are not ours to fix.)
if grep -E "/Sources/[^:]+:[0-9]+:[0-9]+: warning:" "$build_log" | grep -v "/\.build/" | sort -u; then
    echo "error: the warnings above come from FlowForge's own sources; fix them (CI builds warning-free)" >&2
    exit 1
fi
# Suites that need PostgreSQL whatever the pass (the schema comparison) find it here.
export FLOWFORGE_TEST_POSTGRES_URL="$postgres_url"

# Serial: many suites start servers, containers and git processes, and some assert on timing (a step
# timeout that must fire promptly); run in parallel on two cores they starve each other.
echo "== test suite on SQLite =="
FLOWFORGE_TEST_DATABASE_URL= swift test --skip-build --no-parallel

echo "== test suite on PostgreSQL =="
# The database-independent suites already ran above; this pass repeats the ones that touch the database.
FLOWFORGE_TEST_DATABASE_URL="$postgres_url" swift test --skip-build --no-parallel --filter FlowForgeServerTests
