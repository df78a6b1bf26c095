// The package boundaries of docs/architecture.md, as an ESLint rule (drctl/package-boundaries):
//  1. a package's shipped code (src/) imports only the workspace packages its layer allows —
//     the core (domain, scheduler, workflows) never reaches adapters, simulators, stores or apps,
//     and the domain imports no other package;
//  2. packages import each other only through their public entry (`@drctl/x`, never `@drctl/x/src/…`);
//  3. no relative import leaves its own package (`../../other-package/src/…`).
// Tests may use any package as a fixture (the workflows tests drive the engine over the simulator),
// but rules 2 and 3 hold for them too. A new package must be added to LAYERS before it can be imported.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CORE = ['@drctl/domain', '@drctl/scheduler', '@drctl/workflows'];

/** What each package's src/ may import from the workspace. `'*'` = any package (not an app). */
export const LAYERS = {
  '@drctl/domain': [],
  '@drctl/scheduler': ['@drctl/domain'],
  '@drctl/workflows': ['@drctl/domain', '@drctl/scheduler'],
  // Adapters, simulators and stores implement the domain's ports and know nothing else.
  '@drctl/callouts': ['@drctl/domain'],
  '@drctl/sc-series': ['@drctl/domain'],
  '@drctl/dsm-simulator': ['@drctl/domain'],
  '@drctl/vsphere-replication': ['@drctl/domain'],
  '@drctl/vsphere': ['@drctl/domain'],
  '@drctl/simulator': ['@drctl/domain'],
  '@drctl/store': ['@drctl/domain'],
  '@drctl/store-postgres': ['@drctl/domain', '@drctl/store'],
  // Tooling over the machines.
  '@drctl/inspect': ['@drctl/domain', '@drctl/workflows'],
  // The composition root wires every package together; the apps sit on top of it.
  '@drctl/runtime': '*',
  '@drctl/server': '*',
  drctl: '*',
};
const APPS = new Set(['@drctl/server', 'drctl']);

/** Workspace folders (packages/x, apps/x) by absolute path → package name. */
function workspacePackages() {
  const found = new Map();
  for (const group of ['packages', 'apps']) {
    const base = join(ROOT, group);
    if (!existsSync(base)) continue;
    for (const dir of readdirSync(base)) {
      const manifest = join(base, dir, 'package.json');
      if (existsSync(manifest)) found.set(join(base, dir), JSON.parse(readFileSync(manifest, 'utf8')).name);
    }
  }
  return found;
}

const PACKAGES = workspacePackages();
const NAMES = new Set(PACKAGES.values());

function owningPackage(file) {
  for (const [dir, name] of PACKAGES) if (file === dir || file.startsWith(dir + sep)) return { dir, name };
  return undefined;
}

/** The workspace package a bare specifier names, and whether it reaches past the public entry. */
function workspaceTarget(specifier) {
  for (const name of NAMES) {
    if (specifier === name) return { name, deep: false };
    if (specifier.startsWith(name + '/')) return { name, deep: true };
  }
  return undefined;
}

function allowedFor(from, target) {
  const allowed = LAYERS[from];
  if (allowed === undefined) return `${from} has no entry in LAYERS (scripts/eslint-boundaries.js): add one`;
  if (LAYERS[target] === undefined) return `${target} has no entry in LAYERS (scripts/eslint-boundaries.js): add one`;
  if (APPS.has(target) && !(from === 'drctl' && target === '@drctl/server'))
    return `${from} must not import the app ${target}`;
  if (allowed === '*') return undefined;
  if (allowed.includes(target)) return undefined;
  if (allowed.length === 0)
    return `${from} imports no other package (it is what every other package builds on), not ${target}`;
  if (CORE.includes(from))
    return `the core package ${from} must not import ${target} (adapters, simulators, stores and apps depend on the core, never the reverse)`;
  return `${from} may import only ${allowed.join(', ') || 'no other package'}, not ${target}`;
}

/**
 * A port's contract suite (`<package>/test/<name>-contract.ts`) is shared by the tests of every
 * package that implements the port (the DocumentStore contract runs against the file, memory and
 * PostgreSQL stores): tests, and only tests, may import it across packages.
 */
function isSharedContract(file, target) {
  const owner = owningPackage(file);
  const targetOwner = owningPackage(target);
  if (!owner || !targetOwner) return false;
  const fromTest = relative(owner.dir, file).split(sep)[0] === 'test';
  const parts = relative(targetOwner.dir, target).split(sep);
  return fromTest && parts.length === 2 && parts[0] === 'test' && /-contract(\.js)?$/.test(parts[1] ?? '');
}

const packageBoundaries = {
  meta: {
    type: 'problem',
    docs: { description: 'Keeps the package layering of docs/architecture.md' },
    schema: [],
  },
  create(context) {
    const file = context.filename;
    const owner = owningPackage(file);
    if (!owner) return {};
    const isShipped = relative(owner.dir, file).split(sep)[0] === 'src';
    function check(node, specifier) {
      if (typeof specifier !== 'string') return;
      if (specifier.startsWith('.')) {
        const target = resolve(dirname(file), specifier);
        if (!(target === owner.dir || target.startsWith(owner.dir + sep)) && !isSharedContract(file, target)) {
          context.report({
            node,
            message: `Relative import '${specifier}' leaves ${owner.name}: import the other package by its name.`,
          });
        }
        return;
      }
      const target = workspaceTarget(specifier);
      if (!target || target.name === owner.name) return;
      if (target.deep) {
        context.report({
          node,
          message: `'${specifier}' reaches inside ${target.name}: import its public entry '${target.name}'.`,
        });
        return;
      }
      if (!isShipped) return;
      const problem = allowedFor(owner.name, target.name);
      if (problem) context.report({ node, message: `Package boundary: ${problem}.` });
    }
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};

export const boundaries = { rules: { 'package-boundaries': packageBoundaries } };
