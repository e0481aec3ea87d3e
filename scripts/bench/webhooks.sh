#!/bin/sh
# Webhook ingestion benchmark: signed GitHub push deliveries per second and their latency at
# POST /api/webhooks/github, next to GET /healthz (a bare route) of the same server in the same run.
#
# Starts `flowforge serve` on a free port of 127.0.0.1 with a temporary data directory (SQLite), registers
# an account, connects a GitHub repository, then sends REQUESTS deliveries (distinct delivery ids) from
# CONCURRENCY client threads (Python standard library only). Every delivery is verified, deduplicated and
# queues a pipeline, as in production. The queued pipelines fail at once (their clone URL is a missing
# local path and no Docker is needed): the workers run during the measurement, as they would in service.
#
# Usage: scripts/bench/webhooks.sh [REQUESTS] [CONCURRENCY]   (defaults 2000 and 16)
# Needs a built binary (FLOWFORGE_BIN, default .build/debug/flowforge; `swift build -c release` and
# FLOWFORGE_BIN=.build/release/flowforge for representative numbers) and python3. Talks to 127.0.0.1 only.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
requests=${1:-2000}
concurrency=${2:-16}
bin=${FLOWFORGE_BIN:-$root/.build/debug/flowforge}
if [ ! -x "$bin" ]; then
    echo "no flowforge binary at $bin; run 'swift build' first or set FLOWFORGE_BIN" >&2
    exit 1
fi

data=$(mktemp -d "${TMPDIR:-/tmp}/flowforge-bench-webhooks.XXXXXX")
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
server_pid=
cleanup() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null || true
        # The queued pipelines may hold up a graceful stop; the measurement is done, so wait at most 10 s.
        tries=0
        while kill -0 "$server_pid" 2>/dev/null && [ "$tries" -lt 50 ]; do sleep 0.2; tries=$((tries + 1)); done
        kill -KILL "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$data"
}
trap cleanup EXIT INT TERM

FLOWFORGE_DATA_DIR=$data BCRYPT_ROUNDS=4 LOG_LEVEL=error FLOWFORGE_ALLOW_LOCAL_REPOS=true \
    API_BASE_URL="http://127.0.0.1:$port" DOCKER_HOST="unix://$data/no-docker.sock" \
    GITHUB_API_URL=http://127.0.0.1:9 GITLAB_URL=http://127.0.0.1:9 BITBUCKET_API_URL=http://127.0.0.1:9 \
    "$bin" serve --hostname 127.0.0.1 --port "$port" >"$data/server.log" 2>&1 &
server_pid=$!

FIXTURE="$root/../shared/fixtures/webhooks/github/push.with-new-branch.json" \
    python3 - "http://127.0.0.1:$port" "$requests" "$concurrency" "file://$data/missing.git" <<'PY'
import hashlib, hmac, http.client, json, os, statistics, sys, threading, time, urllib.request, uuid

base, total, concurrency, clone_url = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
host, port = base.split("//")[1].split(":")

def call(method, path, body=None, token=None):
    request = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body is not None else None)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"{}")

deadline = time.time() + 60
while True:
    try:
        call("GET", "/healthz")
        break
    except Exception:
        if time.time() > deadline:
            sys.exit("the server did not start within 60 s; see its log")
        time.sleep(0.1)

access = call("POST", "/api/auth/register", {"email": "bench@example.com", "password": "correct horse battery"})["access_token"]
fixture = os.environ["FIXTURE"]
if os.path.exists(fixture):
    body = open(fixture, "rb").read()
    full_name = json.loads(body)["repository"]["full_name"]
else:  # a minimal push, when the shared fixtures are not beside the repository
    full_name = "bench/app"
    body = json.dumps({"ref": "refs/heads/main", "after": "1" * 40, "deleted": False,
                       "repository": {"full_name": full_name, "clone_url": "https://github.com/bench/app.git"},
                       "head_commit": {"id": "1" * 40, "message": "bench"}}).encode()
secret = call("POST", "/api/user/repositories", {"provider": "github", "full_name": full_name, "clone_url": clone_url}, access)["webhook_secret"]
signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()

def run(method, path, make_headers, payload, expected):
    latencies, unexpected, lock = [], [], threading.Lock()
    counter = iter(range(total))
    def worker():
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        mine, bad = [], []
        while True:
            with lock:
                if next(counter, None) is None:
                    break
            start = time.perf_counter()
            connection.request(method, path, body=payload, headers=make_headers())
            response = connection.getresponse()
            response.read()
            mine.append(time.perf_counter() - start)
            if response.status != expected:
                bad.append(response.status)
        connection.close()
        with lock:
            latencies.extend(mine)
            unexpected.extend(bad)
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads: thread.start()
    for thread in threads: thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000
    return len(latencies) / elapsed, pick(0.50), pick(0.99), len(unexpected)

def push_headers():
    return {"Content-Type": "application/json", "X-GitHub-Event": "push", "X-GitHub-Delivery": str(uuid.uuid4()),
            "X-Hub-Signature-256": signature}

results = [
    ("GET /healthz", run("GET", "/healthz", dict, None, 200)),
    ("POST /api/webhooks/github (signed push)", run("POST", "/api/webhooks/github", push_headers, body, 202)),
]
print(f"{total} requests per row, {concurrency} concurrent connections, body {len(body)} bytes, SQLite")
print(f"{'route':<42} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'unexpected':>10}")
for name, (rate, p50, p99, bad) in results:
    print(f"{name:<42} {rate:>9.0f} {p50:>8.2f} {p99:>8.2f} {bad:>10}")
PY
