#!/usr/bin/env node
// Keeps the TypeScript project references in step with the workspace: the root tsconfig.json
// references every package and app, and each package's tsconfig.json references the workspace
// packages its package.json depends on (dependencies and devDependencies, since tests are
// type-checked too). `tsc -b` needs these references to type-check a package against its
// siblings, and a missing one fails with TS6307 — which is why they are written, not hand-kept.
//
//   node scripts/tsconfig-references.mjs          rewrite the tsconfig.json files
//   node scripts/tsconfig-references.mjs --check  exit 1 and name the files that are out of date
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');

/** Workspace projects: every folder under packages/ and apps/ with a package.json. */
function projects() {
  const found = [];
  for (const group of ['packages', 'apps']) {
    for (const name of readdirSync(join(root, group)).sort()) {
      const dir = join(root, group, name);
      if (!existsSync(join(dir, 'package.json'))) continue;
      found.push({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) });
    }
  }
  return found;
}

function packageConfig(project, byName) {
  const { dependencies = {}, devDependencies = {} } = project.manifest;
  const references = Object.keys({ ...dependencies, ...devDependencies })
    .filter((name) => byName.has(name))
    .sort()
    .map((name) => ({ path: relative(project.dir, byName.get(name).dir) }));
  const existing = readJson(join(project.dir, 'tsconfig.json')) ?? {};
  // Only `extends` and `references` are owned here; anything else a package adds is kept.
  const rest = { ...existing };
  delete rest.extends;
  delete rest.references;
  return { extends: '../../tsconfig.base.json', ...rest, references };
}

function rootConfig(all) {
  return {
    // The project's TypeScript entry: `tsc -b` here type-checks every package and app (sources
    // and tests); editors opened at the root find each package through these references.
    files: [],
    references: all.map((project) => ({ path: relative(root, project.dir) })),
  };
}

function readJson(path) {
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : undefined;
}

/** Each reference on one line, as Prettier keeps it. */
function format(config) {
  return `${JSON.stringify(config, null, 2).replace(/\{\n\s+("path": "[^"]+")\n\s+\}/g, '{ $1 }')}\n`;
}

/** Key order and layout do not matter for the check: Prettier owns the layout. */
function canonical(value) {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, canonical(value[key])]),
  );
}

const all = projects();
const byName = new Map(all.map((project) => [project.manifest.name, project]));
const wanted = [
  [join(root, 'tsconfig.json'), rootConfig(all)],
  ...all.map((project) => [join(project.dir, 'tsconfig.json'), packageConfig(project, byName)]),
];
const stale = [];
for (const [path, config] of wanted) {
  const current = readJson(path);
  if (JSON.stringify(canonical(current)) === JSON.stringify(canonical(config))) continue;
  stale.push(relative(root, path));
  if (!check) writeFileSync(path, format(config));
}
if (!check && stale.length > 0) {
  execFileSync(join(root, 'node_modules/.bin/prettier'), ['--write', '--log-level=warn', ...stale], { cwd: root });
}
if (check && stale.length > 0) {
  console.error(
    `TypeScript project references are out of date in ${stale.join(', ')}; run: node scripts/tsconfig-references.mjs`,
  );
  process.exit(1);
}
if (!check && stale.length > 0) console.log(`updated ${stale.join(', ')}`);
