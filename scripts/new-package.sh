#!/usr/bin/env bash
# Creates a workspace package skeleton: scripts/new-package.sh <dir> <name> "<description>"
set -euo pipefail
dir=$1 name=$2 desc=$3
mkdir -p "$dir/src" "$dir/test"
cat > "$dir/package.json" <<JSON
{
  "name": "$name",
  "version": "0.1.0",
  "description": "$desc",
  "type": "module",
  "exports": {
    ".": {
      "@drctl/source": "./src/index.ts",
      "types": "./dist/index.d.ts",
      "default": "./dist/index.js"
    }
  },
  "files": ["dist"],
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
[ -f "$dir/src/index.ts" ] || echo "export {};" > "$dir/src/index.ts"
# tsconfig.json (extends the base, references the workspace packages in package.json) and the
# root tsconfig.json's reference to it; run it again after adding @drctl/* dependencies.
node scripts/tsconfig-references.mjs
