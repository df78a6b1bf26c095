import { afterEach, describe, expect, it } from '@jest/globals';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock, type Environment, type StorageAdapter } from '@drctl/domain';
import { SimulatedWorld, type WorldState } from '@drctl/simulator';
import { FileStore } from '@drctl/store';
import { createCalloutRunner } from '@drctl/callouts';
import { Engine, runInvocation } from '../src/index.js';
import { smallEnvironment } from './harness.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'drctl-announced-'));
  dirs.push(dir);
  return dir;
}

/** What a power cut leaves: the folder as it is on disk now, without the dead process's locks. */
function crashImage(dir: string): string {
  const copy = tempDir();
  cpSync(dir, copy, { recursive: true });
  rmSync(join(copy, '.locks'), { recursive: true, force: true });
  return copy;
}

/** An engine over a state folder; `hangDiscovery` makes device discovery never answer. */
async function open(env: Environment, dir: string, hangDiscovery?: () => void) {
  const store = new FileStore(dir, { fsync: 'never' });
  const clock = new VirtualClock({ start: Date.UTC(2026, 0, 1) });
  const saved = await store.read<WorldState>('world');
  const world = saved ? SimulatedWorld.restore(env, saved, { clock }) : new SimulatedWorld(env, { clock });
  // The world's adapter with discovery replaced (its methods live on the prototype).
  const storage: StorageAdapter = hangDiscovery
    ? Object.assign(Object.create(world.storage) as StorageAdapter, {
        discoverDevices: () => {
          hangDiscovery();
          return new Promise<never>(() => undefined);
        },
      })
    : world.storage;
  const engine = new Engine({
    environment: env,
    compute: world.compute,
    storage: () => storage,
    callouts: createCalloutRunner(),
    clock,
    store,
    invocation: { simulate: true, storage: 'sc-series', set: ['storage.commandTimeout=600'], inject: [] },
    checkpoint: async () => store.write('world', world.snapshot()),
  });
  return { engine, clock, store };
}

/** Starts a test and "kills" the process while it is discovering devices, before any step. */
async function killedWhileDiscovering(env: Environment): Promise<{ image: string; runId: string }> {
  const dir = tempDir();
  let reached!: () => void;
  const discovering = new Promise<void>((resolve) => (reached = resolve));
  const first = await open(env, dir, () => reached());
  void first.engine.start({ plan: env.plans[0]!.name, workflow: 'test' });
  await discovering;
  const image = crashImage(dir);
  const [runId] = (await new FileStore(image).list('runs/')).map((k) => k.slice('runs/'.length));
  if (!runId) throw new Error('the run was not announced before discovery');
  return { image, runId };
}

describe('a run killed between its announcement and its first step (issue 14 §1, §2)', () => {
  it('is found interrupted by the next process and resumes to its end', async () => {
    const env = smallEnvironment();
    const { image, runId } = await killedWhileDiscovering(env);
    const next = await open(env, image);
    expect(await next.engine.findInterrupted()).toEqual([runId]);
    expect((await next.engine.report(runId))?.result).toBe('interrupted');
    // The run's options were saved before it started, for whoever resumes it.
    expect(await runInvocation(next.store, runId)).toEqual({
      invocation: { simulate: true, storage: 'sc-series', set: ['storage.commandTimeout=600'], inject: [] },
    });
    const handle = await next.clock.runUntil(next.engine.resume(runId));
    const report = await next.clock.runUntil(handle.done);
    expect(report.result).toBe('success');
    expect((await next.engine.planStatus(env.plans[0]!.name)).state).toBe('test-complete');
  });

  it('is cancelled without running its first step, and the plan takes the next workflow', async () => {
    const env = smallEnvironment();
    const { image, runId } = await killedWhileDiscovering(env);
    const next = await open(env, image);
    expect(await next.engine.findInterrupted()).toEqual([runId]);
    const handle = await next.clock.runUntil(next.engine.resume(runId, { cancel: true, reason: 'test' }));
    const report = await next.clock.runUntil(handle.done);
    expect(report.result).toBe('cancelled');
    expect(report.steps.filter((s) => s.status === 'success')).toEqual([]);
    const again = await next.clock.runUntil(next.engine.start({ plan: env.plans[0]!.name, workflow: 'cleanup' }));
    // Cleanup of a test that did nothing warns that there was nothing to clean up.
    expect((await next.clock.runUntil(again.done)).result).toMatch(/^(success|warnings)$/);
    expect((await next.engine.planStatus(env.plans[0]!.name)).state).toBe('ready');
  });

  it('closes a run whose process died before its plan recorded it', async () => {
    const env = smallEnvironment();
    const dir = tempDir();
    const store = new FileStore(dir, { fsync: 'never' });
    // The announcement's first two writes, then the power cut before the plan record.
    const first = await open(env, dir);
    const handle = await first.clock.runUntil(first.engine.start({ plan: env.plans[0]!.name, workflow: 'test' }));
    await first.clock.runUntil(handle.done);
    const orphan = 'orphan-run';
    await store.write(`runs/${orphan}/meta`, { runId: orphan, plan: env.plans[0]!.name, workflow: 'test' });
    const report = await first.engine.report(handle.runId);
    await store.write(`runs/${orphan}/report`, { ...report, runId: orphan, result: 'running', steps: [], notes: [] });

    const next = await open(env, dir);
    expect(await next.engine.findInterrupted()).toEqual([]);
    const closed = await next.engine.report(orphan);
    expect(closed?.result).toBe('cancelled');
    expect(closed?.notes.join(' ')).toMatch(/never started/);
    await expect(next.engine.resume(orphan)).rejects.toMatchObject({ code: 'DR_OPERATION_REFUSED' });
  });
});
