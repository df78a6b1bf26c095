#!/usr/bin/env bash
# The one test command (README, .ci/run): install, build, type-check, then every test.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
bash scripts/bootstrap.sh
pnpm run --silent typecheck
# --forceExit: a handle some test leaks (a socket, a child process) must never hold CI until its
# time limit; find such leaks locally with: pnpm jest --detectOpenHandles
pnpm run --silent jest --forceExit "$@"
# Public API reports (docs/embedding.md): fails when a package's API changed without
# `pnpm run api:update`.
node scripts/api-report.mjs
# Installs the packed packages with npm outside the repository and runs the embedding examples.
node scripts/consumer-test.mjs
