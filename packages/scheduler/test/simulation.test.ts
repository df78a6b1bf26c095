import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { VirtualClock } from '@drctl/domain';
import {
  SlotPool,
  rtoLowerBound,
  runNaiveBatches,
  simulateSchedule,
  uniformSlotLimits,
  type SimulatedTask,
} from '../src/index.js';
import {
  expectDependenciesHonoured,
  expectLimitsHonoured,
  expectPriorityBarriers,
  scenarioArb,
} from './support/scenarios.js';

const task = (id: string, estimateMs: number, dependsOn: string[] = [], host = `host-${id}`): SimulatedTask => ({
  id,
  host,
  cluster: 'c',
  dependsOn,
  estimateMs,
});

describe('simulateSchedule', () => {
  it('records when each task was ready, started and ended, relative to the start', async () => {
    const clock = new VirtualClock({ start: 1_000_000 });
    const sim = await simulateSchedule(
      [[task('a', 10), task('b', 5, ['a'])], [task('c', 7)]],
      uniformSlotLimits(null, null),
      { clock },
    );
    expect(sim.timings.map((t) => [t.id, t.group, t.readyAt, t.startAt, t.endAt, t.outcome])).toEqual([
      ['a', 0, 0, 0, 10, 'ok'],
      ['b', 0, 10, 10, 15, 'ok'],
      ['c', 1, 15, 15, 22, 'ok'],
    ]);
    expect(sim.makespanMs).toBe(22);
    expect(clock.now()).toBe(1_000_022);
  });

  it('starts dependencies first, which reaches the bound where input order would not', async () => {
    // Two slots: a → b is a chain; c and d are independent and come first in the input.
    const group = [task('c', 10), task('d', 10), task('a', 10), task('b', 10, ['a'])];
    const limits = uniformSlotLimits(null, 2);
    const sim = await simulateSchedule([group], limits);
    expect(sim.makespanMs).toBe(20);
    expect(rtoLowerBound([group], limits)).toBe(20);
    const naive = await runNaiveBatches([group], limits, { batchSize: 2 });
    expect(naive.makespanMs).toBe(30);
  });

  it('shares one pool between runs, so two plans together still respect the limits', async () => {
    const clock = new VirtualClock({ start: 0 });
    const limits = uniformSlotLimits(1, 2);
    const pool = new SlotPool(limits);
    const plan = (prefix: string) => [
      Array.from({ length: 4 }, (_, i) => ({ ...task(`${prefix}${i}`, 10), host: `h${i % 2}` })),
    ];
    const [one, two] = await Promise.all([
      simulateSchedule(plan('p'), limits, { clock, pool }),
      simulateSchedule(plan('q'), limits, { clock, pool }),
    ]);
    expect(pool.clusterPeakInUse('c')).toBe(2);
    expect(Math.max(one.makespanMs, two.makespanMs)).toBe(40);
  });
});

describe('runNaiveBatches', () => {
  it('waits for the slowest VM of each batch', async () => {
    const group = [task('a', 10), task('b', 1), task('c', 10), task('d', 1)];
    const limits = uniformSlotLimits(null, 2);
    const naive = await runNaiveBatches([group], limits, { batchSize: 2 });
    expect(naive.makespanMs).toBe(20);
    const sim = await simulateSchedule([group], limits);
    expect(sim.makespanMs).toBe(11);
    expect(rtoLowerBound([group], limits)).toBe(11);
  });

  it('closes a batch before a VM whose dependency is in it', async () => {
    const naive = await runNaiveBatches(
      [[task('a', 10), task('b', 10, ['a']), task('c', 10)]],
      uniformSlotLimits(null, null),
      { batchSize: 5 },
    );
    expect(naive.timings.map((t) => [t.id, t.startAt])).toEqual([
      ['a', 0],
      ['b', 10],
      ['c', 0], // free from the start, so it joins a's batch in dependency order
    ]);
  });

  it('honours the limits, dependencies and priority barriers too', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb(), fc.integer({ min: 1, max: 6 }), async (scenario, batchSize) => {
        const naive = await runNaiveBatches(scenario.groups, scenario.limits, { batchSize });
        expectLimitsHonoured(scenario, naive);
        expectDependenciesHonoured(scenario, naive);
        expectPriorityBarriers(naive);
        expect(naive.makespanMs).toBeGreaterThanOrEqual(rtoLowerBound(scenario.groups, scenario.limits) - 1e-9);
      }),
      { numRuns: 60 },
    );
  });

  it('refuses a batch size that is not a positive count', async () => {
    await expect(runNaiveBatches([], uniformSlotLimits(null, null), { batchSize: 0 })).rejects.toMatchObject({
      code: 'DR_INPUT_INVALID',
    });
  });
});
