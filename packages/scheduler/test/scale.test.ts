import { describe, it, expect } from '@jest/globals';
import {
  rtoLowerBound,
  simulateSchedule,
  splitPriorityGroups,
  uniformSlotLimits,
  type SimulatedTask,
  type TaskTiming,
} from '../src/index.js';

/** Deterministic pseudo-random numbers (a 32-bit LCG), so the workload is the same every run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Most slots any key holds at once: a sweep over starts and ends (ends first at equal times). */
function peakBy(timings: readonly TaskTiming[], key: (t: TaskTiming) => string): Map<string, number> {
  const events = timings.flatMap((t) => [
    { at: t.startAt!, delta: 1, key: key(t) },
    { at: t.endAt!, delta: -1, key: key(t) },
  ]);
  events.sort((a, b) => a.at - b.at || a.delta - b.delta);
  const current = new Map<string, number>();
  const peak = new Map<string, number>();
  for (const e of events) {
    const now = (current.get(e.key) ?? 0) + e.delta;
    current.set(e.key, now);
    peak.set(e.key, Math.max(peak.get(e.key) ?? 0, now));
  }
  return peak;
}

describe('scale', () => {
  it('schedules 20,000 VMs over 200 hosts in five priority groups, within the limits and close to the bound', async () => {
    const random = seededRandom(20_000);
    const vms: Array<SimulatedTask & { priority: number }> = [];
    for (let i = 0; i < 20_000; i++) {
      const cluster = i % 4;
      const priority = 1 + Math.floor(random() * 5);
      // One VM in ten depends on an earlier VM; only same-priority ones count.
      const dependsOn = i > 0 && random() < 0.1 ? [`vm${Math.floor(random() * i)}`] : [];
      vms.push({
        id: `vm${i}`,
        priority,
        cluster: `cl${cluster}`,
        host: `cl${cluster}-esx${Math.floor(random() * 50)}`,
        dependsOn,
        estimateMs: 60_000 + Math.floor(random() * 120_000),
      });
    }
    const { groups } = splitPriorityGroups(vms);
    const limits = uniformSlotLimits(2, 32);

    const sim = await simulateSchedule(groups, limits);

    expect(sim.timings).toHaveLength(20_000);
    expect(sim.timings.every((t) => t.outcome === 'ok')).toBe(true);
    expect(Math.max(...peakBy(sim.timings, (t) => t.host).values())).toBeLessThanOrEqual(2);
    expect(Math.max(...peakBy(sim.timings, (t) => t.cluster).values())).toBeLessThanOrEqual(32);
    const byId = new Map(sim.timings.map((t) => [t.id, t] as const));
    for (const group of groups) {
      for (const vm of group)
        for (const d of vm.dependsOn) expect(byId.get(vm.id)!.startAt!).toBeGreaterThanOrEqual(byId.get(d)!.endAt!);
    }
    const bound = rtoLowerBound(groups, limits);
    expect(sim.makespanMs).toBeGreaterThanOrEqual(bound);
    // Work-conserving longest-path scheduling lands within a few percent of the bound here.
    expect(sim.makespanMs / bound).toBeLessThan(1.05);
  });
});
