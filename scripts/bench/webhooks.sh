#!/bin/sh
# Webhook ingestion benchmark with wrk: signed GitHub push deliveries per second and their latency at
# POST /api/webhooks/github, next to GET /healthz (a bare route) of the same server in the same run.
#
# Starts `flowforge serve` on a free port of 127.0.0.1 with a temporary data directory, on SQLite or (with
# BENCH_DATABASE=postgres) on a fresh database created for the run on the PostgreSQL of DATABASE_URL (an
# account allowed to create databases; default: the one scripts/ci/start-postgres.sh starts). It registers an
# account, connects a GitHub repository, signs COUNT distinct push bodies up front (wrk's Lua has no HMAC), and
# runs wrk for DURATION with CONNECTIONS connections, each request a new delivery id. Every delivery is
# verified, deduplicated and queues a pipeline in one transaction, as in production. The workers run
# meanwhile (MAX_CONCURRENT_PIPELINES=2, no Docker needed), in one of two ways (BENCH_WORKERS):
#   busy   (default) the GitHub host accepts connections and never answers, so the workers stay on the first
#          pipelines they took and the deliveries queue behind them: a CI at capacity while pushes pour in;
#   churn  the GitHub host is 127.0.0.1:9, where nothing listens, so each clone fails at once and the
#          workers take, fail and finish pipelines as fast as they can, competing with the deliveries for the
#          database and the CPU (about five database writes and a commit status per pipeline).
# GitHub's API (the token check when connecting, commit statuses) is a local stand-in.
#
# After the run it counts the rows: every 202 must have its delivery, pipeline and job row, each once.
#
# BENCH_PERF=FILE records a CPU profile of the server (perf) during the deliveries into FILE.
# BENCH_PROFILE=1 starts the server with FLOWFORGE_PROFILE_WEBHOOKS=1 and prints its last per-stage profile
# (mean µs per delivery). BENCH_SERVER_ENV="NAME=value ..." passes more settings to the server (an A/B run).
#
# Usage: scripts/bench/webhooks.sh [DURATION] [CONNECTIONS]   (defaults 10s and 16)
# Needs wrk, python3 (psql for PostgreSQL) and a built binary: FLOWFORGE_BIN, default .build/release/flowforge
# if built, else .build/debug/flowforge. Prints ROW lines (see scripts/bench/run-all.sh). 127.0.0.1 only.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/scripts/bench/lib.sh"
duration=${1:-10s}
connections=${2:-16}
database=${BENCH_DATABASE:-sqlite}
bin=${FLOWFORGE_BIN:-}
if [ -z "$bin" ]; then
    bin=$root/.build/release/flowforge
    [ -x "$bin" ] || bin=$root/.build/debug/flowforge
fi
[ -x "$bin" ] || { echo "no flowforge binary at $bin; run 'swift build -c release' or set FLOWFORGE_BIN" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk (scripts/install-deps.sh installs it)" >&2; exit 1; }

data=$(mktemp -d "${TMPDIR:-/tmp}/flowforge-bench-webhooks.XXXXXX")
port=$(free_port)
server_pid=
github_pid=
hold_pid=
pg_admin=
pg_name=
cleanup() {
    stop_server "$server_pid"
    if [ -n "$pg_name" ]; then psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $pg_name" >/dev/null 2>&1 || true; fi
    stop_helper "$github_pid"
    stop_helper "$hold_pid"
    rm -rf "$data"
}
trap cleanup EXIT INT TERM

database_url=
if [ "$database" = postgres ]; then
    pg_admin=${DATABASE_URL:-$("$root/scripts/ci/start-postgres.sh")}
    pg_name=flowforge_bench_$$
    psql "$pg_admin" -qc "CREATE DATABASE $pg_name" >/dev/null
    database_url=$(printf '%s' "$pg_admin" | sed -E "s#^(postgres(ql)?://[^/]+/)[^?]*#\1$pg_name#")
fi

# Unlimited runs, so the plan's monthly limit does not turn deliveries into refusals mid-run.
# A stand-in for GitHub's API (the repository check when connecting, commit statuses), on 127.0.0.1.
python3 "$root/scripts/bench/webhook-bench.py" fake-github >"$data/github.port" 2>"$data/github.log" &
github_pid=$!
tries=0
until [ -s "$data/github.port" ] || [ "$tries" -ge 100 ]; do sleep 0.1; tries=$((tries + 1)); done
github_port=$(cat "$data/github.port")

workers=${BENCH_WORKERS:-busy}
case "$workers" in
busy)
    python3 "$root/scripts/bench/webhook-bench.py" hold >"$data/hold.port" 2>"$data/hold.log" &
    hold_pid=$!
    tries=0
    until [ -s "$data/hold.port" ] || [ "$tries" -ge 100 ]; do sleep 0.1; tries=$((tries + 1)); done
    git_host=http://127.0.0.1:$(cat "$data/hold.port")
    label=$database
    ;;
churn)
    git_host=http://127.0.0.1:9
    label="$database, workers failing each pipeline"
    ;;
*) echo "BENCH_WORKERS must be busy or churn" >&2; exit 2 ;;
esac

cat >"$data/plans.yml" <<'YAML'
plans:
  - {id: free, name: Bench, price: 0, pipeline_runs: null, compute_minutes: null, concurrent_builds: 4, features: []}
YAML

env FLOWFORGE_DATA_DIR="$data" DATABASE_URL="$database_url" FLOWFORGE_PLANS_FILE="$data/plans.yml" \
    BCRYPT_ROUNDS=4 LOG_LEVEL=error FLOWFORGE_ALLOW_LOCAL_REPOS=true \
    RATE_LIMIT_MAX_REQUESTS=10000000 FLOWFORGE_WEBHOOK_RATE_LIMIT_MAX_REQUESTS=10000000 \
    API_BASE_URL="http://127.0.0.1:$port" DOCKER_HOST="unix://$data/no-docker.sock" FLOWFORGE_BACKEND=docker \
    GITHUB_API_URL="http://127.0.0.1:$github_port" GITHUB_URL="$git_host" GITLAB_URL=http://127.0.0.1:9 MAX_CONCURRENT_PIPELINES=2 BITBUCKET_API_URL=http://127.0.0.1:9 \
    FLOWFORGE_PROFILE_WEBHOOKS="${BENCH_PROFILE:-0}" ${BENCH_SERVER_ENV:-} \
    "$bin" serve --hostname 127.0.0.1 --port "$port" >"$data/server.log" 2>&1 &
server_pid=$!

base=http://127.0.0.1:$port
python3 "$root/scripts/bench/webhook-bench.py" prepare "$base" "$data/requests.tsv" "${BENCH_BODIES:-2000}"
nonce=$(python3 -c 'import secrets; print(secrets.token_hex(4))')

run_wrk() { # requests file or "", prints the RESULT line
    FF_REQUESTS=$1 FF_NONCE=$nonce wrk -t2 -c"$connections" -d"$duration" --timeout 10s \
        -s "$root/scripts/bench/webhooks.lua" "$base" | grep '^RESULT'
}
field() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

healthz=$(run_wrk "")
if [ -n "${BENCH_PERF:-}" ]; then
    # A CPU profile of the server during the deliveries (perf from Debian's linux-perf), written to BENCH_PERF.
    perf record -F 499 -g -p "$server_pid" -o "$BENCH_PERF" -- sleep "${duration%s}" >/dev/null 2>&1 &
    perf_pid=$!
fi
push=$(run_wrk "$data/requests.tsv")
[ -z "${perf_pid:-}" ] || wait "$perf_pid" || true
rss_kib=$(awk '/^VmRSS/ {print $2}' "/proc/$server_pid/status")

# Let in-flight requests the run cut off settle before counting.
sleep 1
if [ "$database" = postgres ]; then
    counts=$(python3 "$root/scripts/bench/webhook-bench.py" count postgres "$database_url")
else
    counts=$(python3 "$root/scripts/bench/webhook-bench.py" count sqlite "$data/flowforge.sqlite")
fi

h_rps=$(field "$healthz" rps); p_rps=$(field "$push" rps)
p_p50=$(field "$push" p50_ms); p_p99=$(field "$push" p99_ms)
accepted=$(field "$push" accepted); other=$(field "$push" other); errors=$(field "$push" errors)
queued=$(field "$counts" queued); pipelines=$(field "$counts" pipelines); jobs=$(field "$counts" jobs)
deliveries=$(field "$counts" deliveries); duplicates=$(field "$counts" duplicates)

echo "wrk: $duration, $connections connections, 2 threads, $database, workers $workers, binary ${bin#"$root"/}"
printf '%-42s %9s %8s %8s %9s\n' route req/s "p50 ms" "p99 ms" unexpected
printf '%-42s %9.0f %8.2f %8.2f %9d\n' "GET /healthz" "$h_rps" "$(field "$healthz" p50_ms)" "$(field "$healthz" p99_ms)" "$(( $(field "$healthz" other) + $(field "$healthz" errors) ))"
printf '%-42s %9.0f %8.2f %8.2f %9d\n' "POST /api/webhooks/github (signed push)" "$p_rps" "$p_p50" "$p_p99" "$((other + errors))"
echo "rows after the run: $counts; 202 answers counted by wrk: $accepted"
# wrk stops with up to CONNECTIONS requests in flight: those may commit without wrk counting their answer.
once=yes
if [ "$queued" -lt "$accepted" ] || [ "$queued" -gt $((accepted + connections)) ] || [ "$pipelines" -ne "$queued" ] \
    || [ "$jobs" -ne "$queued" ] || [ "$duplicates" -ne 0 ] || [ "$deliveries" -ne "$queued" ]; then
    once=no
    echo "EXACTLY-ONCE VIOLATED: $counts against $accepted answers of 202" >&2
fi
echo "every 202 recorded exactly once: $once"
if [ "${BENCH_PROFILE:-0}" = 1 ]; then grep -o 'webhook stage profile.*' "$data/server.log" | tail -1 || true; fi

ratio=$(python3 -c "print(f'{$p_rps / $h_rps:.3f}')")
target=">=0.10"; [ "$database" = postgres ] && target=">=0.25"
printf 'ROW\twebhooks %s: signed push deliveries/s\t%.0f\treq/s\tGET /healthz\t%.0f\t%s\t%s\n' "$label" "$p_rps" "$h_rps" "$ratio" "$target"
printf 'ROW\twebhooks %s: push p99 latency\t%.2f\tms\t-\t-\t-\t<20\n' "$label" "$p_p99"
printf 'ROW\twebhooks %s: 2xx recorded exactly once\t%s\t-\t-\t-\t-\tyes\n' "$label" "$once"
printf 'ROW\twebhooks %s: server RSS after the run\t%.1f\tMiB\t-\t-\t-\t-\n' "$label" "$(python3 -c "print($rss_kib / 1024)")"
