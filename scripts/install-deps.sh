#!/usr/bin/env bash
# Installs the Debian packages FlowForge builds and runs with (skips what is already there).
# The Swift toolchain itself is not a Debian package: it must already be on PATH (swift.org's Debian 12 build).
set -euo pipefail

if ! command -v swift >/dev/null 2>&1; then
  echo "error: no Swift toolchain on PATH. Install Swift 6 for Debian 12 from swift.org, then run this again." >&2
  exit 1
fi

wanted=(build-essential pkg-config git libgit2-dev libarchive-dev libsqlite3-dev libssl-dev zlib1g-dev curl ca-certificates python3 python3-venv "$@")
missing=()
for package in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# localstripe (PyPI): a stateful fake Stripe that the billing tests start on 127.0.0.1 themselves. It lives in
# a virtual environment under .build/, where the tests look for it (or set LOCALSTRIPE_PYTHON).
venv="$(cd "$(dirname "$0")/.." && pwd)/.build/localstripe"
if ! "$venv/bin/python" -c "import localstripe" >/dev/null 2>&1; then
  echo "installing localstripe into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "localstripe==1.15.10"
fi
