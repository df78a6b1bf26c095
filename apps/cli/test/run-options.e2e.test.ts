import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { drctl, ensureBuilt, jsonLines, tempDir, TECHSOL } from './support/cli-process.js';
import { memoryIo } from './support/memory-io.js';
import { runCli } from '../src/index.js';

const PLAN = 'Protect vcsite1';
const dirs: string[] = [];

async function cli(args: string[]): Promise<{ code: number; out: string }> {
  const io = memoryIo();
  const code = await runCli(args, io);
  return { code, out: io.out() };
}

describe('a run keeps the options it started with (issue 14 §2)', () => {
  beforeAll(() => ensureBuilt());
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('refuses resume and cancel with other options, naming them, and resumes on its own storage', async () => {
    const dir = tempDir('run-options');
    dirs.push(dir);
    const crashed = await drctl([
      'run',
      'test',
      '--env',
      TECHSOL,
      '--plan',
      PLAN,
      '--simulate',
      '--storage',
      'sc-series',
      '--set',
      'storage.commandTimeout=900',
      '--answer',
      'ok',
      '--state-dir',
      dir,
      '--json',
      '--inject',
      'crash-after:sync-storage',
    ]);
    expect(crashed.signal).toBe('SIGKILL');
    const runId = jsonLines<{ runId: string }>(crashed.stdout)[0]!.runId;
    const base = ['--env', TECHSOL, '--state-dir', dir, '--json'];

    const otherStorage = await cli(['resume', runId, '--simulate', '--storage', 'simulated', ...base]);
    expect(otherStorage.code).toBe(2);
    expect(JSON.parse(otherStorage.out)).toMatchObject({
      error: {
        code: 'DR_INPUT_INVALID',
        message: expect.stringContaining('--storage'),
        issues: [{ path: '--storage', message: 'the run was started with sc-series' }],
      },
    });
    const otherSettings = await cli(['cancel', runId, '--set', 'storage.commandTimeout=5', ...base]);
    expect(otherSettings.code).toBe(2);
    expect(JSON.parse(otherSettings.out)).toMatchObject({
      error: { issues: [{ path: '--set', message: 'the run was started with storage.commandTimeout=900' }] },
    });

    // No options at all: the run's own (SC Series through the simulated Data Collector).
    const resumed = await cli(['resume', runId, '--answer', 'ok', ...base]);
    expect(jsonLines<{ type: string; result?: string }>(resumed.out).at(-1)).toMatchObject({
      type: 'report',
      result: 'success',
    });
    const report = JSON.parse(readFileSync(join(dir, 'runs', runId, 'report.json'), 'utf8')) as {
      settings: Record<string, unknown>;
    };
    expect(report.settings['storage.commandTimeout']).toBe(900);
    expect(existsSync(join(dir, 'environments/techsol/dsm.json'))).toBe(true);
    // The engine gave its boot and storage slots back when it closed: none is left to go stale.
    expect(readdirSync(join(dir, '.slots'))).toEqual([]);
  });
});
