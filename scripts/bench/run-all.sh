#!/bin/sh
# Every benchmark of the project in one run, on a release build, and one table of the figures they print:
# figure, value, its baseline from the same run, the ratio, the target and whether it is met.
#
#   scripts/bench/run-all.sh            # builds release first (swift build -c release)
#   BENCH_SKIP_BUILD=1 scripts/bench/run-all.sh
#
# Runs: webhooks with wrk on SQLite and on PostgreSQL (DATABASE_URL, an account that may create databases;
# default: the server scripts/ci/start-postgres.sh starts), the pipeline benchmark (1-step pipeline and per
# step against `docker run --rm`), a 100-pipeline burst on the enterprise plan (MAX_CONCURRENT_PIPELINES=4)
# against the same `docker run`s one after another, idle RSS and RSS after 10,000 deliveries, and
# scripts/bench/log-streaming.sh when it exists. Needs root for PostgreSQL and dockerd (scripts/ci/start-*.sh),
# wrk (scripts/install-deps.sh), python3, git. Each script's own output goes to BENCH_LOG_DIR (default a
# temporary folder, named at the end). Ratios within this one run are what count: the machine is shared.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
logs=${BENCH_LOG_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/flowforge-bench.XXXXXX")}
mkdir -p "$logs"

if [ -z "${BENCH_SKIP_BUILD:-}" ]; then
    echo "== swift build -c release" >&2
    swift build -c release --product flowforge >"$logs/build.log" 2>&1 || { tail -30 "$logs/build.log" >&2; exit 1; }
fi
FLOWFORGE_BIN=${FLOWFORGE_BIN:-$root/.build/release/flowforge}
export FLOWFORGE_BIN
[ -x "$FLOWFORGE_BIN" ] || { echo "no release binary at $FLOWFORGE_BIN" >&2; exit 1; }

./scripts/ci/start-dockerd.sh >/dev/null 2>&1 || echo "warning: could not start dockerd; the pipeline benchmarks will fail" >&2
./scripts/ci/build-test-image.sh >/dev/null 2>&1 || true
if [ -z "${DATABASE_URL:-}" ]; then DATABASE_URL=$(./scripts/ci/start-postgres.sh 2>/dev/null); fi
export DATABASE_URL

failed=
run() { # name, command...
    name=$1; shift
    echo "== $name" >&2
    if ! "$@" >"$logs/$name.log" 2>&1; then
        echo "   $name failed; see $logs/$name.log" >&2
        tail -5 "$logs/$name.log" >&2
        failed="$failed $name"
    fi
}

run webhooks-sqlite env BENCH_DATABASE=sqlite ./scripts/bench/webhooks.sh "${BENCH_DURATION:-10s}" 16
run webhooks-postgres env BENCH_DATABASE=postgres ./scripts/bench/webhooks.sh "${BENCH_DURATION:-10s}" 16
run webhooks-sqlite-churn env BENCH_DATABASE=sqlite BENCH_WORKERS=churn ./scripts/bench/webhooks.sh "${BENCH_DURATION:-10s}" 16
run webhooks-postgres-churn env BENCH_DATABASE=postgres BENCH_WORKERS=churn ./scripts/bench/webhooks.sh "${BENCH_DURATION:-10s}" 16
run memory ./scripts/bench/memory.sh 10000
run pipelines python3 ./scripts/bench/pipelines.py --runs "${BENCH_RUNS:-7}"
run burst python3 ./scripts/bench/burst.py --pipelines 100 --concurrency 4
if [ -x ./scripts/bench/log-streaming.sh ]; then run log-streaming ./scripts/bench/log-streaming.sh; fi

cpus=$(nproc)
model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
memory=$(awk '/^MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)
echo
echo "FlowForge benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC'), $cpus CPUs ($model), $memory, $(uname -sr), binary ${FLOWFORGE_BIN#"$root"/}"
cat "$logs"/*.log | grep '^ROW	' | python3 -c '
import re, sys
rows = [line.rstrip("\n").split("\t")[1:] for line in sys.stdin]
def met(value, target):
    match = re.fullmatch(r"(>=|<=|<|>)\s*([0-9.]+)", target)
    if target in ("-", ""):
        return "-"
    if not match:
        return "yes" if value == target else "NO"
    try:
        number = float(value)
    except ValueError:
        return "NO"
    op, bound = match.group(1), float(match.group(2))
    return "yes" if {">=": number >= bound, "<=": number <= bound, "<": number < bound, ">": number > bound}[op] else "NO"
header = ("figure", "value", "unit", "baseline", "baseline value", "ratio", "target", "ok?")
table = [header] + [tuple(row[:7]) + (met(row[5] if row[5] != "-" else row[1], row[6]),) for row in rows if len(row) >= 7]
widths = [max(len(str(row[i])) for row in table) for i in range(len(header))]
for row in table:
    print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip())
'
echo "(logs: $logs)"
[ -z "$failed" ] || { echo "failed:$failed" >&2; exit 1; }
