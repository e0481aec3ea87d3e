#!/usr/bin/env bash
# openapi-spec-validator (PyPI) checks docs/openapi.yaml against the OpenAPI 3.1 schema; the OpenAPI tests run it.
# It lives in a virtual environment under .build/, where the tests look for it (or set OPENAPI_SPEC_VALIDATOR).
set -euo pipefail
venv="$(cd "$(dirname "$0")/../.." && pwd)/.build/openapi-validator"
if ! "$venv/bin/openapi-spec-validator" --help >/dev/null 2>&1; then
  echo "installing openapi-spec-validator into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "openapi-spec-validator==0.9.0"
fi
