#!/bin/sh
# Memory benchmark: the resident set of `flowforge serve` (SQLite) idle, and after COUNT signed GitHub push
# deliveries (default 10,000), each queueing a pipeline that the workers take and fail at once (its clone URL
# is a missing local path; no Docker needed). Idle is measured after start-up and the account's setup, with
# no request in flight; "after" once the deliveries were answered and the queue has drained.
#
# Usage: scripts/bench/memory.sh [COUNT]. Needs python3 and a built binary (FLOWFORGE_BIN, default
# .build/release/flowforge if built, else .build/debug/flowforge). Prints ROW lines. Talks to 127.0.0.1 only.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/scripts/bench/lib.sh"
count=${1:-10000}
bin=${FLOWFORGE_BIN:-}
if [ -z "$bin" ]; then
    bin=$root/.build/release/flowforge
    [ -x "$bin" ] || bin=$root/.build/debug/flowforge
fi
[ -x "$bin" ] || { echo "no flowforge binary at $bin" >&2; exit 1; }

data=$(mktemp -d "${TMPDIR:-/tmp}/flowforge-bench-memory.XXXXXX")
port=$(free_port)
server_pid=
github_pid=
cleanup() {
    stop_server "$server_pid"
    stop_helper "$github_pid"
    [ -z "${BENCH_KEEP:-}" ] && rm -rf "$data"
}
trap cleanup EXIT INT TERM

# A stand-in for GitHub's API (the repository check when connecting, commit statuses), on 127.0.0.1.
python3 "$root/scripts/bench/webhook-bench.py" fake-github >"$data/github.port" 2>"$data/github.log" &
github_pid=$!
tries=0
until [ -s "$data/github.port" ] || [ "$tries" -ge 100 ]; do sleep 0.1; tries=$((tries + 1)); done
github_port=$(cat "$data/github.port")

cat >"$data/plans.yml" <<'YAML'
plans:
  - {id: free, name: Bench, price: 0, pipeline_runs: null, compute_minutes: null, concurrent_builds: 4, features: []}
YAML
env FLOWFORGE_DATA_DIR="$data" DATABASE_URL= FLOWFORGE_PLANS_FILE="$data/plans.yml" BCRYPT_ROUNDS=4 LOG_LEVEL=error \
    FLOWFORGE_ALLOW_LOCAL_REPOS=true RATE_LIMIT_MAX_REQUESTS=10000000 FLOWFORGE_WEBHOOK_RATE_LIMIT_MAX_REQUESTS=10000000 \
    API_BASE_URL="http://127.0.0.1:$port" DOCKER_HOST="unix://$data/no-docker.sock" FLOWFORGE_BACKEND=docker \
    GITHUB_API_URL="http://127.0.0.1:$github_port" GITHUB_URL=http://127.0.0.1:9 GITLAB_URL=http://127.0.0.1:9 BITBUCKET_API_URL=http://127.0.0.1:9 \
    ${BENCH_SERVER_ENV:-} "$bin" serve --hostname 127.0.0.1 --port "$port" >"$data/server.log" 2>&1 &
server_pid=$!
base=http://127.0.0.1:$port
rss() { awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$server_pid/status"; }

python3 "$root/scripts/bench/webhook-bench.py" prepare "$base" "$data/requests.tsv" 1000
sleep 2
idle=$(rss)
sent=$(python3 "$root/scripts/bench/webhook-bench.py" send "$base" "$data/requests.tsv" "$count" 8)
# The workers fail each queued pipeline at once; wait (bounded) until none is left queued.
tries=0
while [ "$tries" -lt 120 ]; do
    left=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"SELECT COUNT(*) FROM jobs WHERE status IN ('queued','running')\").fetchone()[0])" "$data/flowforge.sqlite")
    [ "$left" -eq 0 ] && break
    sleep 1; tries=$((tries + 1))
done
sleep 2
after=$(rss)
grep -E '^(RssAnon|RssFile|RssShmem|Threads)' "/proc/$server_pid/status" | tr -s ' \t' ' ' | tr '\n' ';' >"$data/detail"
growth=$(python3 -c "print(f'{$after - $idle:.1f}')")
echo "RSS of flowforge serve (SQLite): idle $idle MiB; after $count deliveries ($sent; queue drained) $after MiB (+$growth MiB)"
echo "after: $(cat "$data/detail")"
printf 'ROW\tidle RSS\t%s\tMiB\t-\t-\t-\t<45\n' "$idle"
printf 'ROW\tRSS growth after %s deliveries\t%s\tMiB\tidle RSS\t%s\t-\t<=20\n' "$count" "$growth" "$idle"
