#!/usr/bin/env bash
# moto (PyPI) in server mode: a local S3-compatible server for the artifact store's tests, which start
# `moto_server` on a free port of 127.0.0.1 themselves. It lives in a virtual environment under .build/,
# where the tests look for it (or set MOTO_SERVER). Only the tests need it.
set -euo pipefail
venv="$(cd "$(dirname "$0")/../.." && pwd)/.build/moto"
if ! "$venv/bin/python" -c "import moto.server" >/dev/null 2>&1; then
  echo "installing moto into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "moto[server]==5.2.5"
fi
