import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { rtoLowerBound, simulateSchedule, uniformSlotLimits, type SimulatedTask } from '../src/index.js';
import {
  expectDependenciesHonoured,
  expectLimitsHonoured,
  expectNoIdleSlotWhileReady,
  expectPriorityBarriers,
  scenarioArb,
} from './support/scenarios.js';

const runs = { numRuns: 120 };

describe('the scheduler over random task graphs (VirtualClock)', () => {
  it('never exceeds a host or cluster limit, honours dependencies and priority barriers, and keeps every usable slot busy', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb({ withFailures: true }), async (scenario) => {
        const sim = await simulateSchedule(scenario.groups, scenario.limits);
        expectLimitsHonoured(scenario, sim);
        expectDependenciesHonoured(scenario, sim);
        expectPriorityBarriers(sim);
        expectNoIdleSlotWhileReady(scenario, sim);
      }),
      runs,
    );
  });

  it('runs every task to its own outcome and reports failed dependencies without blocking dependents', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb({ withFailures: true }), async (scenario) => {
        const sim = await simulateSchedule(scenario.groups, scenario.limits);
        const tasks = new Map(scenario.groups.flat().map((t) => [t.id, t] as const));
        expect(sim.timings).toHaveLength(tasks.size);
        for (const timing of sim.timings) {
          const task = tasks.get(timing.id)!;
          expect(timing.outcome).toBe(task.fails ? 'failed' : 'ok');
          expect(timing.endAt! - timing.startAt!).toBe(task.estimateMs);
          const failed = task.dependsOn.filter((d) => tasks.get(d)!.fails);
          expect([...timing.failedDependencies].sort()).toEqual([...failed].sort());
        }
      }),
      runs,
    );
  });

  it('never finishes before the lower bound', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb(), async (scenario) => {
        const sim = await simulateSchedule(scenario.groups, scenario.limits);
        expect(sim.makespanMs).toBeGreaterThanOrEqual(rtoLowerBound(scenario.groups, scenario.limits) - 1e-9);
      }),
      runs,
    );
  });

  it('starts nothing after a cancellation and cancels every task it did not start', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb(), fc.integer({ min: 0, max: 120 }), async (scenario, cancelAfterMs) => {
        const sim = await simulateSchedule(scenario.groups, scenario.limits, { cancelAfterMs });
        expectLimitsHonoured(scenario, sim);
        expectDependenciesHonoured(scenario, sim);
        for (const t of sim.timings) {
          if (t.startAt === undefined) {
            expect(t.outcome).toBe('cancelled');
          } else {
            expect(t.startAt).toBeLessThanOrEqual(cancelAfterMs);
            // A task that had its slot runs to its end: cancellation stops starts, not boots.
            expect(t.outcome).toBe('ok');
            expect(t.endAt).toBeDefined();
          }
        }
      }),
      runs,
    );
  });

  it('meets the lower bound exactly for identical independent tasks when the cluster limit divides their count', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 5 }),
        async (clusterLimit, waves, durationMs, hosts) => {
          const tasks: SimulatedTask[] = Array.from({ length: clusterLimit * waves }, (_, i) => ({
            id: `vm${i}`,
            host: `h${i % hosts}`,
            cluster: 'c',
            dependsOn: [],
            estimateMs: durationMs,
          }));
          const limits = uniformSlotLimits(null, clusterLimit);
          const sim = await simulateSchedule([tasks], limits);
          expect(sim.makespanMs).toBe(waves * durationMs);
          expect(sim.makespanMs).toBe(rtoLowerBound([tasks], limits));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('meets the lower bound exactly for parallel chains when the limit admits every chain at once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 6 }), {
          minLength: 1,
          maxLength: 5,
        }),
        fc.integer({ min: 0, max: 3 }),
        async (chains, spareSlots) => {
          const tasks: SimulatedTask[] = chains.flatMap((chain, c) =>
            chain.map((estimateMs, k) => ({
              id: `c${c}-${k}`,
              host: `h${c}`,
              cluster: 'c',
              dependsOn: k === 0 ? [] : [`c${c}-${k - 1}`],
              estimateMs,
            })),
          );
          const limits = uniformSlotLimits(1, chains.length + spareSlots);
          const sim = await simulateSchedule([tasks], limits);
          const longestChain = Math.max(...chains.map((chain) => chain.reduce((a, b) => a + b, 0)));
          expect(sim.makespanMs).toBe(longestChain);
          expect(sim.makespanMs).toBe(rtoLowerBound([tasks], limits));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('meets the lower bound when one host limit is the bottleneck', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 50 }),
        async (hostLimit, waves, durationMs) => {
          // Host h0 carries hostLimit × waves identical tasks; other hosts carry lighter loads.
          const tasks: SimulatedTask[] = [];
          for (let i = 0; i < hostLimit * waves; i++)
            tasks.push({ id: `a${i}`, host: 'h0', cluster: 'c', dependsOn: [], estimateMs: durationMs });
          for (let i = 0; i < waves; i++)
            tasks.push({ id: `b${i}`, host: 'h1', cluster: 'c', dependsOn: [], estimateMs: durationMs });
          const limits = uniformSlotLimits(hostLimit, null);
          const sim = await simulateSchedule([tasks], limits);
          expect(sim.makespanMs).toBe(waves * durationMs);
          expect(sim.makespanMs).toBe(rtoLowerBound([tasks], limits));
        },
      ),
      { numRuns: 40 },
    );
  });
});
