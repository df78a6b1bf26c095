#!/usr/bin/env bash
# The one test command (README, .ci/run): install, build, type-check, then every test.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
bash scripts/bootstrap.sh
pnpm run --silent typecheck
pnpm run --silent jest "$@"
