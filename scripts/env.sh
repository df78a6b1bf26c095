# Sourced by the project's scripts: pnpm from .tools/ when it is not on PATH, and turbo quiet.
export TURBO_TELEMETRY_DISABLED=1
export TURBO_NO_UPDATE_NOTIFIER=1
if [ -x "$(dirname "${BASH_SOURCE[0]}")/../.tools/node_modules/.bin/pnpm" ]; then
  export PATH="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.tools/node_modules/.bin:$PATH"
fi
