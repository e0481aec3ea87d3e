#!/usr/bin/env bash
# localstripe (PyPI): a stateful fake Stripe that the billing tests start on 127.0.0.1 themselves. It lives in
# a virtual environment under .build/, where the tests look for it (or set LOCALSTRIPE_PYTHON). Only the tests need it.
set -euo pipefail
venv="$(cd "$(dirname "$0")/../.." && pwd)/.build/localstripe"
if ! "$venv/bin/python" -c "import localstripe" >/dev/null 2>&1; then
  echo "installing localstripe into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "localstripe==1.15.10"
fi
