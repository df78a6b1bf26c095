#!/usr/bin/env bash
# The one test command (README, .ci/run): install and build, then lint, formatting, package
# boundaries and types, then every test. Works on a machine with only Node 20 and npm: the pinned
# pnpm comes from .tools/ (scripts/env.sh), whatever else is on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
bash scripts/bootstrap.sh
echo "drctl test: lint and package boundaries (eslint), formatting (prettier), types (tsc)" >&2
pnpm run --silent lint
pnpm run --silent format:check --log-level warn
pnpm run --silent typecheck
pnpm run --silent jest "$@"
