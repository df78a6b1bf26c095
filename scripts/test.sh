#!/usr/bin/env bash
# The one test command (README, .ci/run): install and build, then lint, formatting, package
# boundaries, types and the public API reports, then every test, then the packages as a consumer
# installs them. Works on a machine with only Node 20 and npm: the pinned pnpm comes from .tools/
# (scripts/env.sh), whatever else is on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
bash scripts/bootstrap.sh
echo "drctl test: lint and package boundaries (eslint), formatting (prettier), types (tsc), API reports" >&2
pnpm run --silent lint
pnpm run --silent format:check --log-level warn
pnpm run --silent typecheck
# Every package.json publishable the same way (`pnpm run packages:sync` fixes what this names).
node scripts/package-manifests.mjs --check
# Public API reports (docs/embedding.md): fails when a package's API changed without
# `pnpm run api:update`.
node scripts/api-report.mjs
# The vCenter simulator the vSphere adapter's integration tests start (apt packages when missing;
# cached binary, rebuilt only when tools/vcsim changes).
bash scripts/build-vcsim.sh >/dev/null
# No --forceExit: a handle a test leaks keeps jest from exiting, and the watchdog turns that into a
# loud failure long before CI's limit (the suite takes a few minutes).
status=0
timeout --foreground 30m pnpm run --silent jest "$@" || status=$?
if [ "$status" -eq 124 ]; then
  echo "drctl test: jest did not exit within 30 minutes: a test leaked a handle (socket, timer, child process)? Find it with: pnpm jest --detectOpenHandles" >&2
fi
[ "$status" -eq 0 ] || exit "$status"
# Installs the packed packages with npm outside the repository and runs the embedding examples.
node scripts/consumer-test.mjs
