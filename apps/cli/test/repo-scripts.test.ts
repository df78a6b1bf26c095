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
