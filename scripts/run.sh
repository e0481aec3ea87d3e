#!/usr/bin/env bash
# Quickstart: install what is missing, build FlowForge and serve it on the embedded defaults
# (SQLite in ./.flowforge, the Docker backend). Extra arguments go to `flowforge serve`.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
# Pipelines run in containers: make sure a Docker daemon answers. One started here has no bridge network,
# so steps then run without network unless FLOWFORGE_DOCKER_NETWORK says otherwise.
if ! docker info >/dev/null 2>&1; then
  ./scripts/ci/start-dockerd.sh
  export FLOWFORGE_DOCKER_NETWORK="${FLOWFORGE_DOCKER_NETWORK:-none}"
fi

configuration="${FLOWFORGE_BUILD_CONFIGURATION:-debug}"
swift build -c "$configuration" --product flowforge
exec "$(swift build -c "$configuration" --show-bin-path)/flowforge" serve "$@"
