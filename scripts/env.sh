# Sourced by every project script: puts the pinned pnpm (package.json `packageManager`) first on
# PATH, installing it into .tools/ with npm when it is missing. A pnpm of another version — or a
# broken one — elsewhere on PATH is never used, so a machine with only Node 20 and npm behaves like
# one with a global pnpm.
export TURBO_TELEMETRY_DISABLED=1
export TURBO_NO_UPDATE_NOTIFIER=1
DRCTL_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DRCTL_PNPM_VERSION=$(node -p "require('$DRCTL_ROOT/package.json').packageManager.split('@')[1]")
drctl_pnpm="$DRCTL_ROOT/.tools/node_modules/.bin/pnpm"
if [ ! -x "$drctl_pnpm" ] || [ "$("$drctl_pnpm" --version 2>/dev/null)" != "$DRCTL_PNPM_VERSION" ]; then
  echo "drctl: installing pnpm $DRCTL_PNPM_VERSION into .tools/" >&2
  npm install --no-audit --no-fund --no-save --silent --prefix "$DRCTL_ROOT/.tools" "pnpm@$DRCTL_PNPM_VERSION" >&2
fi
export PATH="$DRCTL_ROOT/.tools/node_modules/.bin:$PATH"
unset drctl_pnpm
