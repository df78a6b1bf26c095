import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './support/cli-process.js';

/**
 * The README's commands run scripts/*.sh, which take pnpm from scripts/env.sh. A machine with a
 * broken or different pnpm first on PATH (or none at all) must still get the pinned one: this is
 * the regression of "npm test fails on a fresh machine" (.ci/run also runs the whole test command
 * with a failing pnpm stub first on PATH).
 */
describe('scripts/env.sh', () => {
  it('puts the pinned pnpm first on PATH, ahead of a failing pnpm', () => {
    const stubDir = mkdtempSync(join(tmpdir(), 'drctl-pnpm-stub-'));
    try {
      writeFileSync(join(stubDir, 'pnpm'), '#!/bin/sh\necho stub >&2\nexit 127\n');
      chmodSync(join(stubDir, 'pnpm'), 0o755);
      const result = spawnSync('bash', ['-c', 'source scripts/env.sh && command -v pnpm && pnpm --version'], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        env: { ...process.env, PATH: `${stubDir}:${process.env['PATH'] ?? ''}` },
      });
      expect(result.stderr).not.toContain('stub');
      expect(result.status).toBe(0);
      const [path, version] = result.stdout.trim().split('\n');
      const pinned = (
        JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { packageManager: string }
      ).packageManager.split('@')[1];
      expect(path).toBe(join(REPO_ROOT, '.tools/node_modules/.bin/pnpm'));
      expect(version).toBe(pinned);
    } finally {
      rmSync(stubDir, { recursive: true, force: true });
    }
  });

  it('is what every script that runs pnpm starts from', () => {
    for (const script of ['bootstrap.sh', 'quickstart.sh', 'test.sh']) {
      const text = readFileSync(join(REPO_ROOT, 'scripts', script), 'utf8');
      const firstPnpm = text.search(/^\s*pnpm /m);
      const sourced = text.indexOf('source scripts/env.sh');
      expect({ script, sourcesEnv: sourced >= 0 }).toEqual({ script, sourcesEnv: true });
      if (firstPnpm >= 0) expect(sourced).toBeLessThan(firstPnpm);
    }
  });
});

/** The package boundaries of docs/architecture.md, as the lint step of the test command sees them. */
describe('the package-boundaries lint rule', () => {
  async function problems(file: string, source: string): Promise<string[]> {
    const { ESLint } = await import('eslint');
    const { boundaries } = (await import(join(REPO_ROOT, 'scripts/eslint-boundaries.js'))) as {
      boundaries: import('eslint').ESLint.Plugin;
    };
    const tseslint = (await import('typescript-eslint')).default;
    const eslint = new ESLint({
      cwd: REPO_ROOT,
      overrideConfigFile: true,
      overrideConfig: [
        { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } },
        { plugins: { drctl: boundaries }, rules: { 'drctl/package-boundaries': 'error' } },
      ],
    });
    const [result] = await eslint.lintText(source, { filePath: join(REPO_ROOT, file) });
    return (result?.messages ?? []).map((m) => m.message);
  }

  it('keeps the core away from adapters, simulators, stores and apps', async () => {
    expect(
      await problems('packages/workflows/src/x.ts', "import { SimulatedWorld } from '@drctl/simulator';\n"),
    ).toEqual([expect.stringContaining('the core package @drctl/workflows must not import @drctl/simulator')]);
    expect(await problems('packages/domain/src/x.ts', "import { SlotPool } from '@drctl/scheduler';\n")).toEqual([
      expect.stringContaining('@drctl/domain imports no other package'),
    ]);
    expect(await problems('packages/sc-series/src/x.ts', "import { Engine } from '@drctl/workflows';\n")).toEqual([
      expect.stringContaining('@drctl/sc-series may import only @drctl/domain'),
    ]);
    expect(await problems('packages/runtime/src/x.ts', "import { startServer } from '@drctl/server';\n")).toEqual([
      expect.stringContaining('must not import the app @drctl/server'),
    ]);
  });

  it('lets packages meet only through their public entries', async () => {
    expect(
      await problems('packages/runtime/src/x.ts', "import { x } from '@drctl/workflows/src/engine/engine.js';\n"),
    ).toEqual([expect.stringContaining("reaches inside @drctl/workflows: import its public entry '@drctl/workflows'")]);
    expect(await problems('packages/runtime/test/x.ts', "import { x } from '../../workflows/src/index.js';\n")).toEqual(
      [expect.stringContaining('leaves @drctl/runtime')],
    );
  });

  it('allows what the layering allows', async () => {
    expect(await problems('packages/workflows/src/x.ts', "import { SlotPool } from '@drctl/scheduler';\n")).toEqual([]);
    expect(
      await problems('packages/workflows/test/x.ts', "import { SimulatedWorld } from '@drctl/simulator';\n"),
    ).toEqual([]);
    expect(await problems('packages/runtime/test/x.ts', "import { x } from '../src/index.js';\n")).toEqual([]);
  });
});
