#!/bin/sh
# Log-streaming benchmark: a step writes MEGABYTES of output (100-byte lines) while an SSE reader follows
# GET /api/v1/pipelines/:id/events, measured end to end (pipeline created → `event: end` read), with the
# server's peak RSS (VmHWM of /proc/PID/status) at the end; beside it, in the same run, `docker logs -f` of a
# container running the same command on the same daemon (container started → log stream ended).
#
# Starts `flowforge serve` on a free port of 127.0.0.1 with a temporary data directory (SQLite) and the Docker
# backend (DOCKER_HOST, default unix:///var/run/docker.sock), with the image BENCH_IMAGE (default
# flowforge-test/busybox:latest, built by scripts/ci/build-test-image.sh; it needs `yes` and `head`).
#
# Usage: scripts/bench/log-streaming.sh [MEGABYTES]   (default 200)
# Needs a built binary (FLOWFORGE_BIN, default .build/debug/flowforge; a release build for representative
# numbers), python3, the docker CLI and a running dockerd. Talks to 127.0.0.1 and the local daemon only.
set -eu
# Docker keeps only FLOWFORGE_STEP_LOG_MAX_SIZE x _MAX_FILE of a container's output (30 MiB by default): a
# reader further behind than that loses lines, so the benchmark lets Docker keep the whole output.

root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/scripts/bench/lib.sh"
megabytes=${1:-200}
bin=${FLOWFORGE_BIN:-$root/.build/debug/flowforge}
image=${BENCH_IMAGE:-flowforge-test/busybox:latest}
docker_host=${DOCKER_HOST:-unix:///var/run/docker.sock}
if [ ! -x "$bin" ]; then
    echo "no flowforge binary at $bin; run 'swift build' first or set FLOWFORGE_BIN" >&2
    exit 1
fi
if ! DOCKER_HOST=$docker_host docker image inspect "$image" >/dev/null 2>&1; then
    echo "the image $image is missing or dockerd is not running; see scripts/ci/start-dockerd.sh and build-test-image.sh" >&2
    exit 1
fi

data=$(mktemp -d "${TMPDIR:-/tmp}/flowforge-bench-logs.XXXXXX")
port=$(free_port)
server_pid=
cleanup() {
    stop_server "$server_pid"
    rm -rf "$data"
}
trap cleanup EXIT INT TERM

# A one-commit repository for the pipeline to check out (its step ignores it).
git init -q --bare "$data/bench.git"
git init -q -b main "$data/work"
echo bench >"$data/work/README"
git -C "$data/work" add README
git -C "$data/work" -c user.email=bench@example.com -c user.name=bench commit -q -m bench
git -C "$data/work" push -q "$data/bench.git" main

# The log cap is raised above the output, so that every byte is stored and streamed.
FLOWFORGE_DATA_DIR=$data BCRYPT_ROUNDS=4 LOG_LEVEL=error DOCKER_HOST=$docker_host \
    DEFAULT_DOCKER_IMAGE=$image FLOWFORGE_DOCKER_NETWORK=none FLOWFORGE_ALLOW_LOCAL_REPOS=true \
    FLOWFORGE_MAX_LOG_BYTES=$(( (megabytes + 64) * 1024 * 1024 )) PIPELINE_TIMEOUT=3600000 \
    FLOWFORGE_STEP_LOG_MAX_SIZE=$(( (megabytes + 64) * 1024 * 1024 )) FLOWFORGE_STEP_LOG_MAX_FILE=1 \
    API_BASE_URL="http://127.0.0.1:$port" \
    GITHUB_API_URL=http://127.0.0.1:9 GITLAB_URL=http://127.0.0.1:9 BITBUCKET_API_URL=http://127.0.0.1:9 \
    "$bin" serve --hostname 127.0.0.1 --port "$port" >"$data/server.log" 2>&1 &
server_pid=$!

DOCKER_HOST=$docker_host python3 - "http://127.0.0.1:$port" "$megabytes" "$server_pid" "$image" "$data" <<'PY'
import http.client, json, os, subprocess, sys, time, urllib.request

base, megabytes, server_pid, image, data = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
host, port = base.split("//")[1].split(":")
total = megabytes * 1024 * 1024
# 99 characters and a newline per line.
command = f"yes {'x' * 99} | head -c {total}"

def call(method, path, body=None, token=None):
    request = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body is not None else None)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(request, timeout=60) as response:
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

def peak_rss_mb():
    for line in open(f"/proc/{server_pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")

access = call("POST", "/api/auth/register", {"email": "bench@example.com", "password": "correct horse battery"})["access_token"]
key = call("POST", "/api/user/api-keys", {"name": "bench"}, access)["key"]
rss_idle = peak_rss_mb()

# FlowForge: create the pipeline, follow its events to `event: end`.
started = time.perf_counter()
pipeline = call("POST", "/api/v1/pipelines", {"repo_url": "file://" + data + "/bench.git", "commands": [command]}, key)
connection = http.client.HTTPConnection(host, int(port), timeout=600)
connection.request("GET", f"/api/v1/pipelines/{pipeline['id']}/events", headers={"Authorization": "Bearer " + key, "Accept": "text/event-stream"})
response = connection.getresponse()
if response.status != 200:
    sys.exit(f"the event stream answered {response.status}: {response.read()[:300]!r}")
received, log_events, tail, ended = 0, 0, b"", False
while not ended:
    chunk = response.read1(1 << 20)
    if not chunk:
        break
    received += len(chunk)
    window = tail + chunk
    log_events += window.count(b"event: log\n") - tail.count(b"event: log\n")
    ended = b"event: end\n" in window
    tail = window[-32:]
elapsed = time.perf_counter() - started
connection.close()
status = call("GET", f"/api/v1/pipelines/{pipeline['id']}", token=key)
if status["status"] != "success":
    sys.exit(f"the pipeline ended {status['status']}: {status.get('error')}")
expected_lines = total // 100
if log_events < expected_lines:
    sys.exit(f"the reader got {log_events} log events of {expected_lines}: the stream lost lines")
flowforge_rate = megabytes / elapsed
rss_peak = peak_rss_mb()

# Baseline: the same command in a container, its output read by `docker logs -f` to the end.
started = time.perf_counter()
container = subprocess.run(["docker", "run", "-d", "--network", "none", image, "sh", "-c", command],
                           check=True, capture_output=True, text=True).stdout.strip()
follower = subprocess.Popen(["docker", "logs", "-f", container], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
docker_bytes = 0
while True:
    chunk = follower.stdout.read1(1 << 20)
    if not chunk:
        break
    docker_bytes += len(chunk)
follower.wait()
docker_elapsed = time.perf_counter() - started
subprocess.run(["docker", "rm", "-f", container], capture_output=True)
docker_rate = megabytes / docker_elapsed

print(f"{megabytes} MB of output in {expected_lines} lines")
print(f"FlowForge SSE (create → end):   {elapsed:7.2f} s  {flowforge_rate:7.1f} MB/s  ({received / 1048576:.0f} MB of SSE read)")
print(f"docker logs -f (run → end):     {docker_elapsed:7.2f} s  {docker_rate:7.1f} MB/s  ({docker_bytes / 1048576:.0f} MB read)")
print(f"server peak RSS (VmHWM):        {rss_peak:7.1f} MB  (after start-up: {rss_idle:.1f} MB)")
ratio = flowforge_rate / docker_rate if docker_rate else float("nan")
print(f"ROW\tlog streaming over SSE ({megabytes} MB)\t{flowforge_rate:.1f}\tMB/s\tdocker logs -f\t{docker_rate:.1f}\t{ratio:.2f}\t>=0.25")
print(f"ROW\tserver peak RSS while streaming {megabytes} MB\t{rss_peak:.1f}\tMB\tafter start-up\t{rss_idle:.1f}\t{rss_peak / rss_idle:.2f}\t-")
PY
