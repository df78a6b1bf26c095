#!/usr/bin/env bash
# Creates a workspace package that is born publishable: scripts/new-package.sh <dir> <name> "<description>"
#   e.g. scripts/new-package.sh packages/pg-store @drctl/pg-store "DocumentStore on PostgreSQL."
# Writes package.json (exports for Node and bundlers, the @drctl/source condition for in-repo
# sources, publishConfig without it, files, engines, license, repository), tsconfig.build.json, a
# README to fill in and src/index.ts; then the tsconfig.json with its project references (and the
# root tsconfig.json's reference to it). Afterwards: add dependencies with
# `pnpm --filter <name> add …` (sibling packages as "workspace:*"), run
# `node scripts/tsconfig-references.mjs` again, and once src/index.ts exports something,
# `pnpm run api:update` to write <dir>/<short name>.api.md. The consumer test and the API check
# pick up every packages/* folder on their own.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:?usage: scripts/new-package.sh <dir> <name> "<description>"} name=${2:?package name} desc=${3:?description}
repository=$(node -p "require('./package.json').repository.url")
mkdir -p "$dir/src" "$dir/test"
cat > "$dir/package.json" <<JSON
{
  "name": "$name",
  "version": "$(node -p "require('./packages/domain/package.json').version")",
  "description": "$desc",
  "license": "MIT",
  "repository": {
    "type": "git",
    "url": "$repository",
    "directory": "$dir"
  },
  "type": "module",
  "engines": {
    "node": ">=20.10"
  },
  "main": "./dist/index.js",
  "types": "./dist/index.d.ts",
  "exports": {
    ".": {
      "@drctl/source": "./src/index.ts",
      "types": "./dist/index.d.ts",
      "default": "./dist/index.js"
    },
    "./package.json": "./package.json"
  },
  "files": [
    "dist"
  ],
  "publishConfig": {
    "access": "public",
    "exports": {
      ".": {
        "types": "./dist/index.d.ts",
        "default": "./dist/index.js"
      },
      "./package.json": "./package.json"
    }
  },
  "scripts": {
    "build": "tsc -p tsconfig.build.json",
    "typecheck": "tsc -b"
  }
}
JSON
cat > "$dir/tsconfig.build.json" <<JSON
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": {
    "composite": false,
    "emitDeclarationOnly": false,
    "rootDir": "src",
    "outDir": "dist",
    "types": ["node"],
    "customConditions": []
  },
  "include": ["src"],
  "exclude": ["src/**/*.test.ts"]
}
JSON
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
