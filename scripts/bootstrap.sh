#!/usr/bin/env bash
# Installs everything drctl needs on a machine that has only Node 20 and npm, then builds.
# pnpm is installed into .tools/ (no global changes) when the right version is not on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
PNPM_VERSION=$(node -p "require('./package.json').packageManager.split('@')[1]")
export TURBO_TELEMETRY_DISABLED=1
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  if [ ! -x .tools/node_modules/.bin/pnpm ] || [ "$(.tools/node_modules/.bin/pnpm --version)" != "$PNPM_VERSION" ]; then
    echo "drctl: installing pnpm $PNPM_VERSION into .tools/" >&2
    npm install --no-audit --no-fund --silent --prefix .tools "pnpm@$PNPM_VERSION" >&2
  fi
  export PATH="$PWD/.tools/node_modules/.bin:$PATH"
fi
pnpm install --frozen-lockfile --reporter=silent >&2
pnpm run --silent build >&2
