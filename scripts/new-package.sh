#!/usr/bin/env bash
# Creates a workspace package that is born publishable: scripts/new-package.sh <dir> <name> "<description>"
#   e.g. scripts/new-package.sh packages/pg-store @drctl/pg-store "DocumentStore on PostgreSQL."
# Writes package.json (exports for Node and bundlers, the @drctl/source condition for in-repo
# sources, publishConfig without it, files, engines, license, repository), tsconfig.build.json, a
# README to fill in and src/index.ts; then the tsconfig.json with its project references (and the
# root tsconfig.json's reference to it). Afterwards: add dependencies with
# `pnpm --filter <name> add …` (sibling packages as "workspace:*"), run
# `pnpm run packages:sync` again, and once src/index.ts exports something,
# `pnpm run api:update` to write <dir>/<short name>.api.md. The consumer test and the API check
# pick up every packages/* folder on their own.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:?usage: scripts/new-package.sh <dir> <name> "<description>"} name=${2:?package name} desc=${3:?description}
mkdir -p "$dir/src" "$dir/test"
cat > "$dir/package.json" <<JSON
{
  "name": "$name",
  "version": "$(node -p "require('./packages/domain/package.json').version")",
  "description": "$desc",
  "scripts": {
    "build": "tsc -p tsconfig.build.json"
  }
}
JSON
# exports, publishConfig, files, engines, license, repository: as every other package has them.
node scripts/package-manifests.mjs >/dev/null
[ -f "$dir/README.md" ] || cat > "$dir/README.md" <<MD
# $name

$desc

\`\`\`ts
import { … } from '$name';
// the smallest useful example
\`\`\`
MD
[ -f "$dir/src/index.ts" ] || echo "export {};" > "$dir/src/index.ts"
node scripts/tsconfig-references.mjs
