#!/usr/bin/env bash
# Starts a Docker daemon for FlowForge's tests if none answers yet. Safe to run again.
# CI machines have no bridge network and no iptables, so the daemon runs without both;
# FlowForge's containers share a pipeline "pod" network namespace instead.
set -euo pipefail

LOG_DIR="${FLOWFORGE_DOCKERD_LOG_DIR:-/var/log/flowforge}"
WAIT_SECONDS="${FLOWFORGE_DOCKERD_WAIT_SECONDS:-60}"

if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
    echo "dockerd not found: installing docker.io"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq docker.io
fi

if docker info >/dev/null 2>&1; then
    echo "Docker daemon already answers"
    exit 0
fi

mkdir -p "$LOG_DIR"
echo "Starting dockerd (log: $LOG_DIR/dockerd.log)"
# setsid: its own session, so the daemon outlives the shell (and process group) that started it.
setsid nohup dockerd --bridge=none --iptables=false --ip-masq=false >>"$LOG_DIR/dockerd.log" 2>&1 &

deadline=$((SECONDS + WAIT_SECONDS))
until docker info >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
        echo "dockerd did not answer within ${WAIT_SECONDS}s; last lines of its log:" >&2
        tail -n 30 "$LOG_DIR/dockerd.log" >&2 || true
        exit 1
    fi
    sleep 0.5
done
echo "Docker daemon is ready"
