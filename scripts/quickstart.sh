#!/usr/bin/env bash
# The README's first command (npm run quickstart): installs everything on a machine with only
# Node 20 and npm (pnpm goes into .tools/), builds, then runs a disaster recovery of the techsol
# example on the simulated environment, with progress, ending with the report's path.
# Each run starts from a fresh state folder, .drctl/quickstart, so it can be run again and again.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
echo "drctl quickstart: installing and building (first time: a few minutes)…" >&2
bash scripts/bootstrap.sh
STATE_DIR=.drctl/quickstart
rm -rf "$STATE_DIR"
echo "drctl quickstart: disaster recovery of plan \"Protect vcsite1\" (examples/techsol), simulated, state in $STATE_DIR" >&2
node apps/cli/dist/bin.js run disaster-recovery \
  --env examples/techsol/environment.yaml \
  --plan "Protect vcsite1" \
  --simulate \
  --answer "confirmed: the snapshots replicated (quickstart)" \
  --state-dir "$STATE_DIR" \
  "$@"
