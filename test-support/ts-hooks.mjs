// Module hooks that let a child `node` process run the workspace's TypeScript sources directly:
// tests that spawn real processes (to crash them, to contend for locks, to kill a server) have no
// build step. Load with:
//   node --conditions=@drctl/source --conditions=development --import <repo>/test-support/register-ts.mjs
// (@drctl/source resolves the workspace packages to src/index.ts; development picks xstate's
// development build, as jest does).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { transformSync } from '@swc/core';

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    // Sources import siblings as './x.js' (NodeNext style) while the file on disk is './x.ts'.
    if (specifier.endsWith('.js') && (specifier.startsWith('.') || specifier.startsWith('file:'))) {
      return nextResolve(`${specifier.slice(0, -3)}.ts`, context);
    }
    throw error;
  }
}

export async function load(url, context, nextLoad) {
  if (!url.endsWith('.ts')) return nextLoad(url, context);
  const filename = fileURLToPath(url);
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    filename,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'es6' },
  });
  return { format: 'module', source: code, shortCircuit: true };
}
