import { describe, it, expect } from '@jest/globals';
import { DrError, VirtualClock } from '@drctl/domain';
import { SlotPool, runTaskGraph, uniformSlotLimits, type SchedulableTask, type TaskOutcome } from '../src/index.js';

const task = (id: string, dependsOn: string[] = [], host = 'h', estimateMs = 10): SchedulableTask => ({
  id,
  host,
  cluster: 'c',
  dependsOn,
  estimateMs,
});

describe('runTaskGraph', () => {
  it('holds a slot only around the work given to withSlot, not around callouts', async () => {
    const clock = new VirtualClock({ start: 0 });
    const pool = new SlotPool(uniformSlotLimits(1, null));
    const bootStarted: Record<string, number> = {};
    const finished: Record<string, number> = {};
    const result = await clock.runUntil(
      runTaskGraph([task('a'), task('b')], {
        pool,
        execute: async (t, withSlot) => {
          await clock.sleep(5); // pre-power-on callout
          await withSlot(async () => {
            bootStarted[t.id] = clock.now();
            await clock.sleep(10); // power on until Tools heartbeat
          });
          await clock.sleep(5); // post-power-on callout
          finished[t.id] = clock.now();
          return 'ok';
        },
      }),
    );
    expect(result).toMatchObject({ ok: 2, failed: 0, cancelled: 0 });
    // b boots as soon as a's boot ends (15), not when a's post-power-on callout ends (20).
    expect(bootStarted).toEqual({ a: 5, b: 15 });
    expect(finished).toEqual({ a: 20, b: 30 });
  });

  it('runs the dependents of a failed task and tells them which dependency failed', async () => {
    const seen: Record<string, readonly string[]> = {};
    const result = await runTaskGraph([task('db'), task('cache'), task('app', ['db', 'cache']), task('web', ['app'])], {
      pool: new SlotPool(uniformSlotLimits(null, null)),
      execute: async (t, withSlot, context) => {
        seen[t.id] = context.failedDependencies;
        return withSlot(async (): Promise<TaskOutcome> => (t.id === 'db' ? 'failed' : 'ok'));
      },
    });
    expect(seen).toEqual({ db: [], cache: [], app: ['db'], web: [] });
    expect(result.results.map((r) => [r.task.id, r.outcome, r.failedDependencies])).toEqual([
      ['db', 'failed', []],
      ['cache', 'ok', []],
      ['app', 'ok', ['db']],
      ['web', 'ok', []],
    ]);
    expect(result).toMatchObject({ ok: 3, failed: 1, cancelled: 0 });
  });

  it('counts a task whose execute throws as failed, keeping the error', async () => {
    const boom = new DrError('DR_COMPUTE_ERROR', 'Power-on failed.');
    const result = await runTaskGraph([task('a'), task('b', ['a'])], {
      pool: new SlotPool(uniformSlotLimits(null, null)),
      execute: async (t) => {
        if (t.id === 'a') throw boom;
        return 'ok';
      },
    });
    expect(result.results[0]).toMatchObject({ outcome: 'failed', error: boom });
    expect(result.results[1]).toMatchObject({ outcome: 'ok', failedDependencies: ['a'] });
  });

  it('refuses an unknown outcome as a failure', async () => {
    const result = await runTaskGraph([task('a')], {
      pool: new SlotPool(uniformSlotLimits(null, null)),
      execute: async () => 'maybe' as TaskOutcome,
    });
    expect(result.results[0]).toMatchObject({
      outcome: 'failed',
      error: expect.objectContaining({ code: 'DR_INTERNAL' }),
    });
  });

  it('on cancel starts nothing new, lets running boots finish and cancels the waiting and the unstarted', async () => {
    const clock = new VirtualClock({ start: 0 });
    const controller = new AbortController();
    clock.setTimer(15, () => controller.abort(new DrError('DR_CANCELLED', 'Cancelled by the operator.')));
    const starts: string[] = [];
    const result = await clock.runUntil(
      runTaskGraph(
        [task('a', [], 'h1'), task('b', [], 'h1'), task('c', [], 'h2'), task('d', ['c'], 'h2'), task('e', ['d'], 'h2')],
        {
          pool: new SlotPool(uniformSlotLimits(1, null)),
          signal: controller.signal,
          execute: async (t, withSlot) => {
            await withSlot(async () => {
              starts.push(`${t.id}@${clock.now()}`);
              await clock.sleep(t.id === 'a' ? 30 : 10);
            });
            return 'ok';
          },
        },
      ),
    );
    // c goes first (d depends on it); b waits behind a on h1 until the abort withdraws it.
    expect(starts).toEqual(['c@0', 'a@0', 'd@10']);
    expect(result.results.map((r) => r.outcome)).toEqual(['ok', 'cancelled', 'ok', 'ok', 'cancelled']);
    expect(result.results[1]!.error).toMatchObject({ code: 'DR_CANCELLED' });
    expect(clock.now()).toBe(30);
  });

  it('cancels every task at once when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    let executed = 0;
    const result = await runTaskGraph([task('a'), task('b', ['a'])], {
      pool: new SlotPool(uniformSlotLimits(null, null)),
      signal: controller.signal,
      execute: async () => {
        executed++;
        return 'ok';
      },
    });
    expect(executed).toBe(0);
    expect(result).toMatchObject({ ok: 0, failed: 0, cancelled: 2 });
  });

  it('cancels the rest of a 20,000-long chain without deep recursion', async () => {
    const chain = Array.from({ length: 20_000 }, (_, i) => task(`t${i}`, i === 0 ? [] : [`t${i - 1}`]));
    const controller = new AbortController();
    const result = await runTaskGraph(chain, {
      pool: new SlotPool(uniformSlotLimits(null, null)),
      signal: controller.signal,
      execute: async (t) => {
        if (t.id === 't99') controller.abort();
        return 'ok';
      },
    });
    expect(result).toMatchObject({ ok: 100, cancelled: 19_900 });
  });

  it('resolves at once for an empty group and rejects an invalid one with the field path', async () => {
    const pool = new SlotPool(uniformSlotLimits(null, null));
    const execute = async () => 'ok' as const;
    await expect(runTaskGraph([], { pool, execute })).resolves.toMatchObject({ results: [], ok: 0 });
    await expect(runTaskGraph([task('a', ['b'])], { pool, execute })).rejects.toMatchObject({
      code: 'DR_INPUT_INVALID',
      issues: [{ path: 'tasks[0].dependsOn[0]' }],
    });
  });

  it('hands ready tasks to the pool in rank order, so the best of them gets a single free slot', async () => {
    const clock = new VirtualClock({ start: 0 });
    const order: string[] = [];
    await clock.runUntil(
      runTaskGraph(
        [task('x', [], 'h1', 5), task('y', [], 'h2', 50), task('dep', [], 'h3', 1), task('after', ['dep'], 'h3', 1)],
        {
          pool: new SlotPool(uniformSlotLimits(null, 1)),
          execute: async (t, withSlot) => {
            await withSlot(async () => {
              order.push(t.id);
              await clock.sleep(t.estimateMs);
            });
            return 'ok';
          },
        },
      ),
    );
    // dep has a dependent, then y has the longest path, then after (ready at 1, path 1) and x (path 5): x.
    expect(order).toEqual(['dep', 'y', 'x', 'after']);
  });
});
