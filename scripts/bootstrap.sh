#!/usr/bin/env bash
# Installs everything drctl needs on a machine that has only Node 20 and npm, then builds.
# The pinned pnpm comes from .tools/ (scripts/env.sh); nothing is installed globally.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
pnpm install --frozen-lockfile --reporter=silent >&2
pnpm run --silent build >&2
