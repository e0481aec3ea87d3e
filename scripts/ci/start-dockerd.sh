#!/usr/bin/env bash
# Starts a Docker daemon for FlowForge's tests if none answers yet. Safe to run again.
# CI machines have no bridge network and no iptables, so the daemon runs without both;
# FlowForge's containers share a pipeline "pod" network namespace instead.
set -euo pipefail

LOG_DIR="${FLOWFORGE_DOCKERD_LOG_DIR:-/var/log/flowforge}"
WAIT_SECONDS="${FLOWFORGE_DOCKERD_WAIT_SECONDS:-60}"
ATTEMPTS="${FLOWFORGE_DOCKERD_ATTEMPTS:-3}"
# dockerd's own pid file, and the one it keeps for the containerd it supervises.
DOCKERD_PID_FILE=/var/run/docker.pid
CONTAINERD_PID_FILE=/var/run/docker/containerd/containerd.pid

if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
    echo "dockerd not found: installing docker.io"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq docker.io
fi

# The daemon this script starts and the tests use: its own socket, whatever DOCKER_HOST says.
daemon_answers() { timeout "$1" docker -H unix:///var/run/docker.sock info >/dev/null 2>&1; }

# A busy daemon may take a while to answer: only one silent this long counts as a leftover.
if daemon_answers 30; then
    echo "Docker daemon already answers"
    exit 0
fi

# Prints the pid in $1 if that process is still the named program and, when $3 is given, its command line
# holds $3; else nothing.
live_pid() {
    local file=$1 program=$2 marker=${3:-} pid
    [[ -r "$file" ]] || return 0
    pid=$(tr -dc '0-9' <"$file" 2>/dev/null || true)
    [[ -n "$pid" && "$(cat "/proc/$pid/comm" 2>/dev/null || true)" == "$program" ]] || return 0
    # A zombie (state Z: dead, not yet reaped by its parent) holds nothing any more.
    [[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || true)" != "Z" ]] || return 0
    if [[ -n "$marker" ]] && ! tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$marker"; then return 0; fi
    echo "$pid"
}

# Stops a daemon left over from an earlier run that no longer answers, and removes the pid files it left.
# Why the files matter: a machine restored from a snapshot keeps them while their pids now belong to
# other processes. dockerd then takes containerd for "still running", never starts one, and gives up
# after its fixed 15 s wait with "timeout waiting for containerd to start". Only dockerd's own containerd
# (started with the config under /var/run/docker) is stopped, never a system containerd.
clear_leftovers() {
    local file program marker pid
    for entry in "$DOCKERD_PID_FILE|dockerd|" "$CONTAINERD_PID_FILE|containerd|/var/run/docker/containerd/containerd.toml"; do
        IFS='|' read -r file program marker <<<"$entry"
        pid=$(live_pid "$file" "$program" "$marker")
        if [[ -n "$pid" ]]; then
            echo "stopping a $program left over from an earlier run (pid $pid)"
            # SIGCONT too: a stopped process acts on SIGTERM only once it runs again.
            kill -TERM "$pid" 2>/dev/null || true
            kill -CONT "$pid" 2>/dev/null || true
            for _ in $(seq 1 40); do [[ -n "$(live_pid "$file" "$program" "$marker")" ]] || break; sleep 0.25; done
            # Still the same program under that pid (not one that took the pid since): force it.
            if [[ "$(live_pid "$file" "$program" "$marker")" == "$pid" ]]; then kill -9 "$pid" 2>/dev/null || true; fi
        fi
        rm -f "$file"
    done
}

mkdir -p "$LOG_DIR"
for attempt in $(seq 1 "$ATTEMPTS"); do
    clear_leftovers
    echo "Starting dockerd, attempt $attempt of $ATTEMPTS (log: $LOG_DIR/dockerd.log)"
    # setsid: its own session, so the daemon outlives the shell (and process group) that started it.
    setsid nohup dockerd --bridge=none --iptables=false --ip-masq=false >>"$LOG_DIR/dockerd.log" 2>&1 &
    daemon=$!
    deadline=$((SECONDS + WAIT_SECONDS))
    until daemon_answers 10; do
        # A daemon that exited will not answer later: try again at once rather than at the deadline.
        if ! kill -0 "$daemon" 2>/dev/null || ((SECONDS >= deadline)); then
            echo "dockerd did not come up (attempt $attempt); last lines of its log:" >&2
            grep -v 'module=grpc' "$LOG_DIR/dockerd.log" | tail -n 15 >&2 || true
            kill "$daemon" 2>/dev/null || true
            continue 2
        fi
        sleep 0.5
    done
    echo "Docker daemon is ready"
    exit 0
done
echo "error: dockerd did not start in $ATTEMPTS attempts; see $LOG_DIR/dockerd.log" >&2
exit 1
