import fc from 'fast-check';
import type { ScheduleSimulation, SimulatedTask, SlotLimits, TaskTiming } from '../../src/index.js';

/** A random recovery: clusters of hosts with limits, and priority groups of tasks placed on them. */
export interface Scenario {
  groups: SimulatedTask[][];
  limits: SlotLimits;
  /** Limits as numbers (Infinity = unlimited), for the checks. */
  hostLimit: Map<string, number>;
  clusterLimit: Map<string, number>;
}

/** null = unlimited, like the settings. */
const limitArb = fc.oneof(fc.constant(null), fc.integer({ min: 1, max: 3 }));

const taskSeedArb = fc.record({
  place: fc.nat(),
  estimateMs: fc.integer({ min: 1, max: 40 }),
  dependencyPicks: fc.array(fc.nat(), { maxLength: 3 }),
  fails: fc.integer({ min: 0, max: 5 }).map((n) => n === 0),
});

export interface ScenarioOptions {
  maxGroups?: number;
  maxTasksPerGroup?: number;
  withFailures?: boolean;
}

/**
 * Random scenarios: 1–3 clusters of 1–4 hosts with random (or no) limits; 1–3 groups of tasks with
 * random hosts, durations and acyclic dependencies (task i may depend on earlier tasks; half the
 * groups are reversed so dependencies also point forward in the input).
 */
export function scenarioArb(options: ScenarioOptions = {}): fc.Arbitrary<Scenario> {
  return fc
    .record({
      clusters: fc.array(
        fc.record({
          hosts: fc.integer({ min: 1, max: 4 }),
          clusterLimit: limitArb,
          hostLimits: fc.array(limitArb, { minLength: 4, maxLength: 4 }),
        }),
        {
          minLength: 1,
          maxLength: 3,
        },
      ),
      groups: fc.array(
        fc.record({
          reversed: fc.boolean(),
          tasks: fc.array(taskSeedArb, { maxLength: options.maxTasksPerGroup ?? 14 }),
        }),
        {
          minLength: 1,
          maxLength: options.maxGroups ?? 3,
        },
      ),
    })
    .map(({ clusters, groups }) => {
      const hostLimit = new Map<string, number>();
      const clusterLimit = new Map<string, number>();
      const places: Array<{ host: string; cluster: string }> = [];
      clusters.forEach((c, ci) => {
        clusterLimit.set(`c${ci}`, c.clusterLimit ?? Infinity);
        for (let h = 0; h < c.hosts; h++) {
          const host = `c${ci}-h${h}`;
          hostLimit.set(host, c.hostLimits[h] ?? Infinity);
          places.push({ host, cluster: `c${ci}` });
        }
      });
      const builtGroups = groups.map((group, g) => {
        const tasks: SimulatedTask[] = group.tasks.map((seed, i) => {
          const place = places[seed.place % places.length]!;
          const dependsOn = i === 0 ? [] : [...new Set(seed.dependencyPicks.map((p) => `g${g}-t${p % i}`))];
          return {
            id: `g${g}-t${i}`,
            ...place,
            dependsOn,
            estimateMs: seed.estimateMs,
            fails: options.withFailures === true && seed.fails,
          };
        });
        return group.reversed ? tasks.reverse() : tasks;
      });
      const limits: SlotLimits = {
        hostLimit: (h) => (hostLimit.get(h) === Infinity ? null : hostLimit.get(h)),
        clusterLimit: (c) => (clusterLimit.get(c) === Infinity ? null : clusterLimit.get(c)),
      };
      return { groups: builtGroups, limits, hostLimit, clusterLimit };
    });
}

const holds = (t: TaskTiming, at: number) =>
  t.startAt !== undefined && t.endAt !== undefined && t.startAt <= at && at < t.endAt;

/** Slots held on each host and cluster just after everything that happened at `at`. */
export function usageAt(
  timings: readonly TaskTiming[],
  at: number,
): { hosts: Map<string, number>; clusters: Map<string, number> } {
  const hosts = new Map<string, number>();
  const clusters = new Map<string, number>();
  for (const t of timings) {
    if (!holds(t, at)) continue;
    hosts.set(t.host, (hosts.get(t.host) ?? 0) + 1);
    clusters.set(t.cluster, (clusters.get(t.cluster) ?? 0) + 1);
  }
  return { hosts, clusters };
}

/** Every instant at which something happened. */
export function eventTimes(timings: readonly TaskTiming[]): number[] {
  const times = new Set<number>();
  for (const t of timings) for (const at of [t.readyAt, t.startAt, t.endAt]) if (at !== undefined) times.add(at);
  return [...times].sort((a, b) => a - b);
}

export function expectLimitsHonoured(scenario: Scenario, sim: ScheduleSimulation): void {
  for (const at of eventTimes(sim.timings)) {
    const { hosts, clusters } = usageAt(sim.timings, at);
    for (const [host, used] of hosts)
      if (used > scenario.hostLimit.get(host)!) throw new Error(`host ${host} held ${used} slots at ${at}`);
    for (const [cluster, used] of clusters)
      if (used > scenario.clusterLimit.get(cluster)!) throw new Error(`cluster ${cluster} held ${used} slots at ${at}`);
  }
  for (const h of sim.gauges.hosts)
    if (h.peakInUse > scenario.hostLimit.get(h.name)!) throw new Error(`host ${h.name} peaked at ${h.peakInUse}`);
  for (const c of sim.gauges.clusters)
    if (c.peakInUse > scenario.clusterLimit.get(c.name)!) throw new Error(`cluster ${c.name} peaked at ${c.peakInUse}`);
}

export function expectDependenciesHonoured(scenario: Scenario, sim: ScheduleSimulation): void {
  const byId = new Map(sim.timings.map((t) => [t.id, t] as const));
  for (const group of scenario.groups) {
    for (const task of group) {
      const timing = byId.get(task.id)!;
      if (timing.readyAt === undefined) continue;
      for (const d of task.dependsOn) {
        const dependency = byId.get(d)!;
        if (dependency.endAt === undefined || timing.readyAt < dependency.endAt || timing.startAt! < dependency.endAt) {
          throw new Error(
            `${task.id} started at ${timing.startAt} before its dependency ${d} ended at ${dependency.endAt}`,
          );
        }
      }
    }
  }
}

export function expectPriorityBarriers(sim: ScheduleSimulation): void {
  let previousGroupEnd = 0;
  const groups = new Map<number, TaskTiming[]>();
  for (const t of sim.timings) groups.set(t.group, [...(groups.get(t.group) ?? []), t]);
  for (const g of [...groups.keys()].sort((a, b) => a - b)) {
    for (const t of groups.get(g)!) {
      if (t.readyAt !== undefined && t.readyAt < previousGroupEnd)
        throw new Error(
          `${t.id} of group ${g} began at ${t.readyAt} before group ${g - 1} ended at ${previousGroupEnd}`,
        );
    }
    for (const t of groups.get(g)!) if (t.endAt !== undefined) previousGroupEnd = Math.max(previousGroupEnd, t.endAt);
  }
}

/** Work conservation: whenever a task waits for a slot, its host or its cluster is full. */
export function expectNoIdleSlotWhileReady(scenario: Scenario, sim: ScheduleSimulation): void {
  const times = eventTimes(sim.timings);
  for (const at of times) {
    // Tasks withdrawn by a cancellation have no start; they are left out.
    const waiting = sim.timings.filter(
      (t) => t.readyAt !== undefined && t.startAt !== undefined && t.readyAt <= at && at < t.startAt,
    );
    if (waiting.length === 0) continue;
    const { hosts, clusters } = usageAt(sim.timings, at);
    for (const w of waiting) {
      const hostFull = (hosts.get(w.host) ?? 0) >= scenario.hostLimit.get(w.host)!;
      const clusterFull = (clusters.get(w.cluster) ?? 0) >= scenario.clusterLimit.get(w.cluster)!;
      if (!hostFull && !clusterFull)
        throw new Error(`${w.id} waited at ${at} while host ${w.host} and cluster ${w.cluster} had room`);
    }
  }
}
