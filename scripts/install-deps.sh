#!/usr/bin/env bash
# Installs the Debian packages FlowForge builds, runs and benchmarks with (wrk: scripts/bench/webhooks.sh;
# skips what is already there).
# The Swift toolchain itself is not a Debian package: it must already be on PATH (swift.org's Debian 12 build).
set -euo pipefail

if ! command -v swift >/dev/null 2>&1; then
  echo "error: no Swift toolchain on PATH. Install Swift 6 for Debian 12 from swift.org, then run this again." >&2
  exit 1
fi

# chromium and chromium-driver: the web app's browser tests drive a headless Chromium through WebDriver.
# wrk: the load generator of the benchmarks (scripts/bench/).
wanted=(build-essential pkg-config git libgit2-dev libarchive-dev libsqlite3-dev libssl-dev zlib1g-dev curl ca-certificates python3 python3-venv chromium chromium-driver wrk "$@")
missing=()
for package in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

