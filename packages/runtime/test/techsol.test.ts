import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DrError } from '@drctl/domain';
import { openWorkspace, readEnvironment } from '../src/index.js';

const techsol = resolve(import.meta.dirname, '../../../examples/techsol/environment.yaml');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const stateDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'drctl-ws-'));
  dirs.push(d);
  return d;
};

describe('the techsol example through the runtime', () => {
  it('validates, with includes resolved from its folder', () => {
    const env = readEnvironment(techsol);
    expect(env.name).toBe('techsol');
    expect(env.sites.map((s) => s.name)).toEqual(['vcsite1', 'vcsite2']);
    expect(env.vms.length).toBeGreaterThanOrEqual(35);
    expect(env.plans).toHaveLength(2);
  });

  it('runs a test and its cleanup, then a disaster recovery, in separate workspaces over one state folder', async () => {
    const dir = stateDir();
    const plan = readEnvironment(techsol).plans[0]!.name;
    const answer = { answer: 'continue', by: 'test-suite' };

    let ws = await openWorkspace({ environmentPath: techsol, stateDir: dir, autoAnswer: answer });
    let handle = await ws.drive(ws.engine.start({ plan, workflow: 'test' }));
    const test = await ws.drive(handle.done);
    await ws.close();
    expect(['success', 'warnings']).toContain(test.result);
    const commandCallouts = test.vms.flatMap((v) => v.callouts).filter((c) => c.type === 'command');
    expect(commandCallouts.length).toBeGreaterThan(0);
    expect(commandCallouts.every((c) => c.status === 'success')).toBe(true);

    ws = await openWorkspace({ environmentPath: techsol, stateDir: dir, autoAnswer: answer });
    expect((await ws.engine.planStatus(plan)).state).toBe('test-complete');
    handle = await ws.drive(ws.engine.start({ plan, workflow: 'cleanup' }));
    expect((await ws.drive(handle.done)).result).toBe('success');
    await ws.close();

    ws = await openWorkspace({ environmentPath: techsol, stateDir: dir, autoAnswer: answer });
    handle = await ws.drive(ws.engine.start({ plan, workflow: 'disaster-recovery' }));
    const dr = await ws.drive(handle.done);
    await ws.close();
    expect(['success', 'warnings']).toContain(dr.result);
    expect(dr.settings.appliedCommandTimeoutSeconds).toBe(300 + 90 * dr.settings.liveVolumes);
    expect(dr.vms.every((v) => v.status === 'recovered' || v.status === 'warning')).toBe(true);
    // The plan's prompt before the storage section was answered and attributed.
    expect(dr.prompts.length).toBeGreaterThan(0);
    expect(dr.prompts.every((p) => p.answeredBy === 'test-suite' && p.answer === 'continue')).toBe(true);
    expect(Date.parse(dr.startedAt)).toBeGreaterThan(Date.parse(test.finishedAt!));
  });

  it('refuses an unknown fault and a bad setting naming the field', async () => {
    await expect(
      openWorkspace({ environmentPath: techsol, inMemory: true, inject: ['site-down:nowhere'] }),
    ).rejects.toThrow(DrError);
    const error = await openWorkspace({
      environmentPath: techsol,
      inMemory: true,
      set: ['storage.commandTimeout=-5'],
    }).catch((e: unknown) => e);
    expect((error as DrError).issues[0]).toEqual({
      path: '--set.storage.commandTimeout',
      message: 'storage.commandTimeout must be ≥ 0, got -5',
    });
  });
});
