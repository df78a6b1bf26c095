import { afterEach, describe, expect, it } from '@jest/globals';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STATE_CHANGING_COMMANDS, VirtualClock, type Environment, type StepId } from '@drctl/domain';
import { SimulatedWorld, type WorldState } from '@drctl/simulator';
import { FileStore } from '@drctl/store';
import { createCalloutRunner } from '@drctl/callouts';
import { Engine } from '../src/index.js';
import { smallEnvironment, stepStatuses } from './harness.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const worldKey = 'world';

/** An engine over a file store whose simulated world is checkpointed into the same store. */
async function open(env: Environment, dir: string, calloutEnv: Record<string, string> = {}) {
  const store = new FileStore(dir, { fsync: 'never' });
  // Virtual time goes on from where the previous process stopped, as the runtime does.
  const clock = new VirtualClock({ start: (await store.read<{ now: number }>('clock'))?.now ?? Date.UTC(2026, 0, 1) });
  const saved = await store.read<WorldState>(worldKey);
  const world = saved ? SimulatedWorld.restore(env, saved, { clock }) : new SimulatedWorld(env, { clock });
  let crashAt: StepId | undefined;
  let crashed: ((copy: string) => void) | undefined;
  const engine = new Engine({
    environment: env,
    compute: world.compute,
    storage: () => world.storage,
    callouts: createCalloutRunner({ env: { ...process.env, ...calloutEnv } }),
    clock,
    store,
    checkpoint: async () => {
      await store.write(worldKey, world.snapshot());
      await store.write('clock', { now: clock.now() });
    },
    onStepPersisted: ({ step }) => {
      if (step !== crashAt || !crashed) return;
      // The power is cut here: what is on disk now is all a new process will find.
      const copy = mkdtempSync(join(tmpdir(), 'drctl-crash-'));
      dirs.push(copy);
      cpSync(dir, copy, { recursive: true });
      rmSync(join(copy, '.locks'), { recursive: true, force: true });
      const done = crashed;
      crashed = undefined;
      done(copy);
    },
  });
  return {
    clock,
    world,
    engine,
    /** Copies the store as it is on disk right now, as a power cut would leave it. */
    crashImage(): string {
      const copy = mkdtempSync(join(tmpdir(), 'drctl-crash-'));
      dirs.push(copy);
      cpSync(dir, copy, { recursive: true });
      rmSync(join(copy, '.locks'), { recursive: true, force: true });
      return copy;
    },
    crashAfter(step: StepId, run: () => Promise<unknown>): Promise<string> {
      crashAt = step;
      return new Promise<string>((resolve) => {
        crashed = resolve;
        void clock.runUntil(run());
      });
    },
  };
}

/** A planned migration of the environment's first plan whose process is killed right after `step`. */
async function migrationKilledAfter(env: Environment, step: StepId) {
  const dir = mkdtempSync(join(tmpdir(), 'drctl-run-'));
  dirs.push(dir);
  const first = await open(env, dir);
  let runId = '';
  const image = await first.crashAfter(step, async () => {
    const handle = await first.engine.start({ plan: env.plans[0]!.name, workflow: 'planned-migration' });
    runId = handle.runId;
    return handle.done;
  });
  return { first, runId, image };
}

function effectTotals(world: SimulatedWorld): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of STATE_CHANGING_COMMANDS) out[c] = world.effectCount(c);
  return out;
}

describe('a crash at a step boundary resumes without repeating a storage command', () => {
  const boundaries: StepId[] = [
    'pre-sync-storage',
    'prepare-protected-storage',
    'promote-recovery-storage',
    'mount-datastores',
    'power-on-priority-2',
  ];

  it.each(boundaries)('planned migration killed right after %s', async (step) => {
    const env = smallEnvironment();
    const plan = env.plans[0]!.name;

    // Reference: the same migration without a crash.
    const refDir = mkdtempSync(join(tmpdir(), 'drctl-ref-'));
    dirs.push(refDir);
    const ref = await open(env, refDir);
    const refHandle = await ref.clock.runUntil(ref.engine.start({ plan, workflow: 'planned-migration' }));
    const refReport = await ref.clock.runUntil(refHandle.done);

    const { runId, image: crashCopy } = await migrationKilledAfter(env, step);

    const second = await open(env, crashCopy);
    expect(await second.engine.findInterrupted()).toEqual([runId]);
    expect((await second.engine.report(runId))?.result).toBe('interrupted');
    const handle = await second.clock.runUntil(second.engine.resume(runId));
    const report = await second.clock.runUntil(handle.done);

    expect(report.result).toBe(refReport.result);
    expect(stepStatuses(report)).toEqual(stepStatuses(refReport));
    // The resumed world carries the first process's effects: totals match a run that never crashed.
    expect(effectTotals(second.world)).toEqual(effectTotals(ref.world));
    expect((await second.engine.planStatus(plan)).state).toBe('recovery-complete');
    expect(report.vms.filter((v) => v.status === 'recovered')).toHaveLength(
      refReport.vms.filter((v) => v.status === 'recovered').length,
    );
  });
});

describe('a run interrupted under an earlier version', () => {
  it('resumes when its snapshot is a document and its journal has none, as earlier versions left it', async () => {
    const env = smallEnvironment();
    const { first, runId, image: copy } = await migrationKilledAfter(env, 'promote-recovery-storage');
    // Rewrite the crash image as earlier versions left it: the last snapshot a document of the
    // run, the journal's lines without snapshots.
    const journals = (readdirSync(join(copy, 'operations'), { recursive: true }) as string[])
      .filter((p) => p.endsWith('journal.jsonl'))
      .map((p) => join(copy, 'operations', p));
    expect(journals).toHaveLength(1);
    const lines = readFileSync(journals[0]!, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { snapshot?: unknown; runId?: string });
    const last = lines.filter((l) => l.snapshot !== undefined && l.runId === runId).at(-1);
    expect(last).toBeDefined();
    mkdirSync(join(copy, 'runs', runId), { recursive: true });
    writeFileSync(join(copy, 'runs', runId, 'snapshot.json'), JSON.stringify(last!.snapshot));
    writeFileSync(journals[0]!, lines.map(({ snapshot: _dropped, ...rest }) => JSON.stringify(rest)).join('\n') + '\n');

    const second = await open(env, copy);
    const started: string[] = [];
    second.engine.events.subscribe((e) => {
      if (e.type === 'step-started') started.push(e.step);
    });
    expect(await second.engine.findInterrupted()).toEqual([runId]);
    const handle = await second.clock.runUntil(second.engine.resume(runId));
    const report = await second.clock.runUntil(handle.done);
    expect(report.result).toBe('success');
    // It goes on from there: nothing before it is started or sent again.
    expect(started).not.toContain('pre-sync-storage');
    expect(started).toContain('mount-datastores');
    expect(second.world.effectCount('failover')).toBe(first.world.effectCount('failover'));
  });
});

describe('a crash in the middle of a power-on step', () => {
  it('does not run a VM callout again that finished before the crash', async () => {
    const base = smallEnvironment({ vms: 16 });
    const plan = base.plans[0]!;
    const protectedVms = base.vms.filter((v) => v.site === plan.protectedSite).map((v) => v.name);
    // Every VM appends its name to $LOG before power-on: a repeat would show as a second line.
    const append = {
      type: 'command' as const,
      command: process.execPath,
      args: ['-e', "require('fs').appendFileSync(process.env.LOG, process.env.DRCTL_VM + '\\n')"],
      env: {},
      timeoutSeconds: 60,
    };
    const env = {
      ...base,
      plans: [
        {
          ...plan,
          vms: protectedVms.map((vm) => ({
            ...(plan.vms.find((v) => v.vm === vm) ?? {
              vm,
              priority: 3 as const,
              dependsOn: [],
              startupAction: 'power-on' as const,
              toolsWaitSeconds: 300,
              delayAfterPowerOnSeconds: 0,
              shutdownAction: 'guest-shutdown' as const,
              shutdownTimeoutSeconds: 300,
              postPowerOn: [],
            }),
            prePowerOn: [append],
          })),
        },
      ],
    };
    const dir = mkdtempSync(join(tmpdir(), 'drctl-run-'));
    dirs.push(dir);
    const log1 = join(dir, '..', `${dir.split('/').pop()}-before.log`);
    const log2 = join(dir, '..', `${dir.split('/').pop()}-after.log`);
    dirs.push(log1, log2);
    const first = await open(env, dir, { LOG: log1 });
    let runId = '';
    let recovered = 0;
    const crash = new Promise<{ image: string; before: string }>((resolve) => {
      first.engine.subscribe((e) => {
        if (e.type === 'run-started') runId = e.runId;
        if (e.type === 'vm-recovered' && ++recovered === 5) {
          resolve({ image: first.crashImage(), before: readFileSync(log1, 'utf8') });
          first.engine.cancel(runId); // the first process is gone; stop it touching anything more
        }
      });
    });
    void first.clock.runUntil(first.engine.start({ plan: plan.name, workflow: 'test' }).then((h) => h.done));
    const { image, before } = await crash;

    const second = await open(env, image, { LOG: log2 });
    expect(await second.engine.findInterrupted()).toEqual([runId]);
    const handle = await second.clock.runUntil(second.engine.resume(runId));
    const report = await second.clock.runUntil(handle.done);
    expect(report.result).toBe('success');
    const lines = [...before.split('\n'), ...(existsSync(log2) ? readFileSync(log2, 'utf8').split('\n') : [])].filter(
      Boolean,
    );
    expect(lines.sort()).toEqual([...protectedVms].sort());
  });
});

describe('cancelling an interrupted run', () => {
  it('does not start the step it stopped in, and rolls a planned migration back before the storage steps', async () => {
    const env = smallEnvironment();
    const plan = env.plans[0]!.name;
    const { runId, image } = await migrationKilledAfter(env, 'shutdown-protected-vms');

    const second = await open(env, image);
    await second.engine.findInterrupted();
    const handle = await second.clock.runUntil(
      second.engine.resume(runId, { cancel: true, reason: 'change window closed' }),
    );
    const report = await second.clock.runUntil(handle.done);
    expect(report.result).toBe('cancelled');
    expect(report.notes).toContain('cancelled: change window closed');
    const steps = stepStatuses(report);
    // The first process may just have begun the step when it died; this one did not run it.
    expect(['cancelled', 'inactive', undefined]).toContain(
      steps.find(([id]) => id === 'prepare-protected-storage')?.[1],
    );
    expect(report.storageCommands.some((c) => c.command === 'prepareFailover')).toBe(false);
    expect(steps.find(([id]) => id === 'rollback-protected-site')?.[1]).toBe('success');
    expect(second.world.effectCount('prepareFailover')).toBe(0);
    expect((await second.engine.planStatus(plan)).state).toBe('ready');
  });
});
