#!/usr/bin/env node
// Keeps every workspace package.json publishable the same way (docs/embedding.md, "Installing"):
// license, repository and engines from the root package.json; for published packages (packages/*
// not marked private) `type`, `main`, `types`, `files`, and `exports` whose in-repo source
// condition is `@drctl/source` (an older `development` condition is renamed), mirrored without it
// in `publishConfig.exports`, which is what `pnpm pack` writes into the tarball. A package made
// before these rules (a branch merged later, an older scripts/new-package.sh) is brought in line.
//
//   node scripts/package-manifests.mjs          rewrite the package.json files that differ
//   node scripts/package-manifests.mjs --check  exit 1 and name them
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const check = process.argv.includes('--check');
const SOURCE_CONDITION = '@drctl/source';
const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** Field order of a written package.json: identity, then what a consumer's resolver reads. */
const ORDER = [
  'name',
  'version',
  'private',
  'description',
  'keywords',
  'license',
  'repository',
  'type',
  'engines',
  'main',
  'types',
  'exports',
  'bin',
  'files',
  'publishConfig',
  'scripts',
  'dependencies',
  'peerDependencies',
  'devDependencies',
];

function ordered(manifest) {
  const keys = [
    ...ORDER.filter((key) => key in manifest),
    ...Object.keys(manifest).filter((key) => !ORDER.includes(key)),
  ];
  return Object.fromEntries(keys.map((key) => [key, manifest[key]]));
}

/** Renames the old `development` condition and puts the source condition first, as Node requires. */
function withSourceCondition(exports) {
  const rewritten = {};
  for (const [subpath, target] of Object.entries(exports ?? {})) {
    if (typeof target !== 'object' || target === null) {
      rewritten[subpath] = target;
      continue;
    }
    const { development, [SOURCE_CONDITION]: source, ...rest } = target;
    rewritten[subpath] = { [SOURCE_CONDITION]: source ?? development, ...rest };
  }
  return rewritten;
}

function withoutSourceCondition(exports) {
  return Object.fromEntries(
    Object.entries(exports).map(([subpath, target]) => {
      if (typeof target !== 'object' || target === null) return [subpath, target];
      const { [SOURCE_CONDITION]: _source, ...rest } = target;
      return [subpath, rest];
    }),
  );
}

function wanted(dir, manifest) {
  const next = {
    ...manifest,
    license: rootManifest.license,
    repository: { type: 'git', url: rootManifest.repository.url, directory: relative(root, dir) },
    engines: rootManifest.engines,
    // Each package is a project of the root `tsc -b` (scripts/tsconfig-references.mjs).
    scripts: { ...manifest.scripts, typecheck: 'tsc -b' },
  };
  if (manifest.private === true) return next;
  const exports = withSourceCondition({
    '.': { [SOURCE_CONDITION]: './src/index.ts', types: './dist/index.d.ts', default: './dist/index.js' },
    ...manifest.exports,
    './package.json': './package.json',
  });
  return ordered({
    ...next,
    type: 'module',
    main: './dist/index.js',
    types: './dist/index.d.ts',
    exports,
    files: [...new Set(['dist', ...(manifest.files ?? [])])],
    publishConfig: { ...manifest.publishConfig, access: 'public', exports: withoutSourceCondition(exports) },
  });
}

const stale = [];
for (const group of ['packages', 'apps']) {
  for (const name of readdirSync(join(root, group)).sort()) {
    const dir = join(root, group, name);
    const path = join(dir, 'package.json');
    if (!existsSync(path)) continue;
    const text = readFileSync(path, 'utf8');
    const next = wanted(dir, JSON.parse(text));
    if (JSON.stringify(JSON.parse(text)) === JSON.stringify(next)) continue;
    stale.push(relative(root, path));
    if (!check) writeFileSync(path, `${JSON.stringify(next, null, 2)}\n`);
  }
}
if (check && stale.length > 0) {
  console.error(
    `Package manifests are not publishable as they stand: ${stale.join(', ')}; run: node scripts/package-manifests.mjs`,
  );
  process.exit(1);
}
if (!check && stale.length > 0) {
  execFileSync(join(root, 'node_modules/.bin/prettier'), ['--write', '--log-level=warn', ...stale], { cwd: root });
  console.log(`updated ${stale.join(', ')}`);
}
