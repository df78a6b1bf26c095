import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { STATE_CHANGING_COMMANDS, type RunReport } from '@drctl/domain';
import type { WorldState } from '@drctl/simulator';
import {
  drctl,
  ensureBuilt,
  finalLine,
  jsonLines,
  readReport,
  startDrctl,
  tempDir,
  TECHSOL,
  topSteps,
} from './support/cli-process.js';
import { memoryIo } from './support/memory-io.js';
import { runCli } from '../src/index.js';

const PLAN = 'Protect vcsite1';
const DEVICES = ['srmds1', 'srmds2', 'srmlv1'];
const dirs: string[] = [];

function stateDir(name: string): string {
  const dir = tempDir(name);
  dirs.push(dir);
  return dir;
}

/** The simulated world as the processes left it in the state folder: what the arrays really did. */
function world(dir: string): WorldState {
  return JSON.parse(readFileSync(join(dir, 'environments/techsol/world.json'), 'utf8')) as WorldState;
}

async function status(dir: string) {
  // Read in-process (runCli is the binary's entry) between the runs' separate processes.
  const io = memoryIo();
  expect(await runCli(['status', '--env', TECHSOL, '--plan', PLAN, '--state-dir', dir, '--json'], io)).toBe(0);
  return JSON.parse(io.out()).plans[0] as { state: string; activeRunId: string | null; lastRun?: { result: string } };
}

describe('a drctl process killed right after a step is persisted', () => {
  beforeAll(() => ensureBuilt());
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('resumes in a new process with no storage command sent twice', async () => {
    const dir = stateDir('crash');
    const crashed = await drctl([
      'run',
      'planned-migration',
      '--env',
      TECHSOL,
      '--plan',
      PLAN,
      '--simulate',
      '--answer',
      'ok',
      '--state-dir',
      dir,
      '--json',
      '--inject',
      'crash-after:promote-recovery-storage',
    ]);
    expect(crashed.signal).toBe('SIGKILL');
    const events = jsonLines<{ type: string; step?: string; status?: string; runId: string }>(crashed.stdout);
    expect(events.at(-2)).toMatchObject({ type: 'step-finished', step: 'promote-recovery-storage', status: 'success' });
    const runId = events[0]!.runId;

    // A new process sees the run interrupted (its owner is gone) and says how to continue.
    expect(await status(dir)).toMatchObject({
      state: 'recovery-in-progress',
      activeRunId: runId,
      lastRun: { result: 'interrupted' },
    });
    const failoversBefore = world(dir).effects.filter((e) => e.command === 'failover');
    expect(failoversBefore.map((e) => e.device).sort()).toEqual(DEVICES);

    const resumed = await drctl(['resume', '--env', TECHSOL, '--state-dir', dir, '--json']);
    expect(resumed.code).toBe(0);
    const last = finalLine(resumed.stdout);
    expect(last).toMatchObject({ runId, result: 'success' });
    const report: RunReport = readReport(last.reportPath);
    // Plan 1 suspended nothing at vcsite1 before: the only step with nothing to do.
    expect(topSteps(report).filter(([, s]) => s !== 'success')).toEqual([['resume-protected-vms', 'skipped']]);
    expect(report.notes.some((n) => n.startsWith('resumed at'))).toBe(true);

    // Every state-changing command took effect once per device, across both processes…
    const after = world(dir);
    for (const command of ['prepareFailover', 'failover'] as const) {
      for (const device of DEVICES)
        expect({
          command,
          device,
          effects: after.effects.filter((e) => e.command === command && e.device === device).length,
        }).toEqual({ command, device, effects: 1 });
    }
    // …no state-changing call was repeated even as a no-op…
    for (const tally of after.calls.filter((c) => STATE_CHANGING_COMMANDS.has(c.command)))
      expect({ ...tally, noOps: 0 }).toEqual(tally);
    // …and the report lists each command sent once.
    const sent = report.storageCommands.filter((c) => c.status !== 'reused').map((c) => `${c.command}@${c.arrayId}`);
    expect(sent.filter((c) => c.startsWith('failover@'))).toHaveLength(1);
    expect(sent.filter((c) => c.startsWith('prepareFailover@'))).toHaveLength(1);
    expect(await status(dir)).toMatchObject({ state: 'recovery-complete', activeRunId: null });
  });

  it('cancels an interrupted planned migration that had not reached its storage steps: protected VMs power on again', async () => {
    const dir = stateDir('cancel');
    const crashed = await drctl([
      'run',
      'planned-migration',
      '--env',
      TECHSOL,
      '--plan',
      PLAN,
      '--simulate',
      '--answer',
      'ok',
      '--state-dir',
      dir,
      '--inject',
      'crash-after:pre-sync-storage',
    ]);
    expect(crashed.signal).toBe('SIGKILL');

    const cancelled = await drctl([
      'cancel',
      '--env',
      TECHSOL,
      '--state-dir',
      dir,
      '--plan',
      PLAN,
      '--reason',
      'maintenance window closed',
      '--json',
    ]);
    expect(cancelled.code).toBe(0);
    const last = finalLine(cancelled.stdout);
    expect(last.result).toBe('cancelled');
    const report = readReport(last.reportPath);
    expect(topSteps(report)).toEqual(
      expect.arrayContaining([
        ['pre-sync-storage', 'success'],
        ['rollback-protected-site', 'success'],
      ]),
    );
    expect(report.storageCommands.some((c) => c.command === 'failover' || c.command === 'prepareFailover')).toBe(false);
    expect(report.notes).toContain('cancelled: maintenance window closed');
    expect(world(dir).effects.filter((e) => e.command === 'failover')).toEqual([]);
    expect(await status(dir)).toMatchObject({ state: 'ready', activeRunId: null });

    // A finished run cannot be cancelled: refused, exit 2, with the reason.
    const again = await drctl(['cancel', last.runId, '--env', TECHSOL, '--state-dir', dir]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already finished \(cancelled\)/);
  });

  it('cancels a run another drctl process is driving (a failover hung with no timeout)', async () => {
    const dir = stateDir('live-cancel');
    const running = startDrctl([
      'run',
      'planned-migration',
      '--env',
      TECHSOL,
      '--plan',
      PLAN,
      '--simulate',
      '--answer',
      'ok',
      '--state-dir',
      dir,
      '--json',
      '--inject',
      'hang:failover',
      '--set',
      'storage.commandTimeout=0',
    ]);
    await running.waitForLine((l) => l.includes('"type":"prompt-answered"'));

    const cancel = await drctl([
      'cancel',
      '--env',
      TECHSOL,
      '--state-dir',
      dir,
      '--plan',
      PLAN,
      '--reason',
      'drill over',
      '--json',
    ]);
    expect(cancel.code).toBe(0);
    expect(JSON.parse(cancel.stdout)).toMatchObject({ requested: true, result: 'cancelled' });
    const run = await running.done;
    expect(run.code).toBe(1);
    const report = readReport(finalLine(run.stdout).reportPath);
    expect(report.result).toBe('cancelled');
    expect(Object.fromEntries(topSteps(report))['promote-recovery-storage']).toBe('cancelled');
    expect(report.storageCommands.find((c) => c.command === 'failover')).toMatchObject({ status: 'cancelled' });
    expect(report.notes).toContain('cancelled: drill over (requested by e2e-operator)');
  });
});
