#!/usr/bin/env node
// Keeps the TypeScript project references in step with the workspace: the root tsconfig.json
// references every package and app, and each package's tsconfig.json references the workspace
// packages its package.json depends on (dependencies and devDependencies, since tests are
// type-checked too). `tsc -b` needs these references to type-check a package against its
// siblings, and a missing one fails with TS6307 — which is why they are written, not hand-kept.
// It also drops options the base owns (noEmit, customConditions, …) from a package's tsconfig.json
// and writes the overrides its tsconfig.build.json needs, so a package made before the references
// (a branch merged later) is brought in line.
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
  // What tsconfig.base.json decides for every project (a package written before the project
  // references, or by an older scripts/new-package.sh, still carries these).
  if (JSON.stringify(rest.include) === JSON.stringify(['src', 'test'])) delete rest.include;
  if (rest.compilerOptions) {
    const options = { ...rest.compilerOptions };
    for (const owned of ['noEmit', 'composite', 'emitDeclarationOnly', 'customConditions', 'rootDir', 'outDir']) {
      delete options[owned];
    }
    if (JSON.stringify(options.types) === JSON.stringify(['node', 'jest'])) delete options.types;
    if (Object.keys(options).length > 0) rest.compilerOptions = options;
    else delete rest.compilerOptions;
  }
  return { extends: '../../tsconfig.base.json', ...rest, references };
}

/** Folders under examples/ with a tsconfig.json of their own (their references are hand-kept). */
function examples() {
  return readdirSync(join(root, 'examples'))
    .sort()
    .filter((name) => existsSync(join(root, 'examples', name, 'tsconfig.json')))
    .map((name) => `examples/${name}`);
}

/**
 * tsconfig.build.json: dist/ for the tarball. It undoes what the base sets for type-checking in the
 * repo (composite, declarations only, sources of siblings through @drctl/source, jest types).
 */
function buildConfig(project) {
  const existing = readJson(join(project.dir, 'tsconfig.build.json')) ?? {};
  return {
    ...existing,
    extends: '../../tsconfig.base.json',
    compilerOptions: {
      ...existing.compilerOptions,
      composite: false,
      emitDeclarationOnly: false,
      rootDir: 'src',
      outDir: 'dist',
      types: ['node'],
      customConditions: [],
    },
    include: existing.include ?? ['src'],
    exclude: existing.exclude ?? ['src/**/*.test.ts'],
  };
}

function rootConfig(all) {
  return {
    // The project's TypeScript entry: `tsc -b` here type-checks every package and app (sources
    // and tests) and the examples; editors opened at the root find each package through these.
    files: [],
    references: [...all.map((project) => relative(root, project.dir)), ...examples()].map((path) => ({ path })),
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
  ...all.map((project) => [join(project.dir, 'tsconfig.build.json'), buildConfig(project)]),
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
