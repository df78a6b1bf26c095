import type { InputIssue } from '../errors.js';
import type { ArrayManager, Environment, RecoveryPlan, SnapshotMode } from './environment.js';

/** DSM's default (§5.8): "Always use Active Snapshot". */
export const DEFAULT_SNAPSHOT_MODE: SnapshotMode = 'always-active';

/** The Data Collector a manager talks to, as `host:port`; a manager without a connection is its own. */
function collectorKey(manager: ArrayManager): string {
  const c = manager.connection;
  return c ? `${c.host.toLowerCase()}:${c.port}` : `manager:${manager.name}`;
}

/**
 * Array managers that share one DSM deployment, whose settings are therefore one (§5.8: SRM
 * selectable snapshot is "globally applied"): managers configured with the same Data Collector
 * (§6.1 "Single Data Collector"), and the two managers of an array pair, which in the
 * "Multiple Data Collectors" layout point at a Data Collector and its Remote Data Collector.
 * Returns manager name → the name of its group's first manager.
 */
export function dsmDeployments(env: Environment): Map<string, string> {
  const parent = new Map(env.arrayManagers.map((m) => [m.name, m.name] as const));
  const find = (name: string): string => {
    let root = name;
    while (parent.get(root) !== undefined && parent.get(root) !== root) root = parent.get(root)!;
    return root;
  };
  const join = (a: string, b: string) => {
    const ra = find(a);
    const rb = find(b);
    if (ra === rb) return;
    // Keep the earlier manager of the file as the group's name, so messages are stable.
    const order = (n: string) => env.arrayManagers.findIndex((m) => m.name === n);
    if (order(ra) <= order(rb)) parent.set(rb, ra);
    else parent.set(ra, rb);
  };
  const byCollector = new Map<string, string>();
  for (const m of env.arrayManagers) {
    const key = collectorKey(m);
    const first = byCollector.get(key);
    if (first === undefined) byCollector.set(key, m.name);
    else join(first, m.name);
  }
  const managerOfArray = new Map(env.arrays.map((a) => [a.id, a.arrayManager] as const));
  for (const pair of env.arrayPairs) {
    const [a, b] = pair.arrays.map((id) => managerOfArray.get(id));
    if (a !== undefined && b !== undefined && parent.has(a) && parent.has(b)) join(a, b);
  }
  return new Map(env.arrayManagers.map((m) => [m.name, find(m.name)] as const));
}

/** The selectable-snapshot mode that applies to an array: its Data Collector's (§5.8). */
export function selectableSnapshotOf(env: Environment, arrayId: string): SnapshotMode {
  const managerName = env.arrays.find((a) => a.id === arrayId)?.arrayManager;
  const manager = env.arrayManagers.find((m) => m.name === managerName);
  return manager?.selectableSnapshot ?? DEFAULT_SNAPSHOT_MODE;
}

/** Array managers whose arrays hold a plan's array-based protection groups. */
export function planArrayManagers(env: Environment, plan: RecoveryPlan): string[] {
  const managers = new Set<string>();
  for (const group of env.protectionGroups) {
    if (group.type !== 'array' || !plan.protectionGroups.includes(group.name)) continue;
    const pair = env.arrayPairs.find((p) => p.name === group.arrayPair);
    for (const arrayId of pair?.arrays ?? []) {
      const manager = env.arrays.find((a) => a.id === arrayId)?.arrayManager;
      if (manager !== undefined) managers.add(manager);
    }
  }
  return [...managers];
}

const FIX = 'SRM selectable snapshot is one DSM-wide setting of the Data Collector (§5.8)';

/**
 * Makes SRM selectable snapshot one setting per DSM deployment, as DSM has it (§5.8), and moves
 * the old per-plan `snapshotMode` onto the array managers. Returns the problems, each at the path
 * of the field to change; fills `selectableSnapshot` in for every manager of a deployment where
 * one manager (or, for an old file, a plan) sets it, so the rest of drctl reads one value.
 */
export function settleSelectableSnapshot(env: Environment): InputIssue[] {
  const issues: InputIssue[] = [];
  const deployment = dsmDeployments(env);
  const managerIndex = new Map(env.arrayManagers.map((m, i) => [m.name, i] as const));
  /** Deployment → where its value comes from (a manager's or a plan's field) and the value. */
  const chosen = new Map<string, { path: string; mode: SnapshotMode }>();

  env.arrayManagers.forEach((m, i) => {
    if (m.selectableSnapshot === undefined) return;
    const group = deployment.get(m.name)!;
    const path = `arrayManagers[${i}].selectableSnapshot`;
    const earlier = chosen.get(group);
    if (earlier === undefined) chosen.set(group, { path, mode: m.selectableSnapshot });
    else if (earlier.mode !== m.selectableSnapshot)
      issues.push({
        path,
        message: `${m.name} shares a DSM Data Collector with the manager at ${earlier.path} (${earlier.mode}), but says ${m.selectableSnapshot}; ${FIX}: give both the same value.`,
      });
  });

  env.plans.forEach((plan, pi) => {
    if (plan.snapshotMode === undefined) return;
    const path = `plans[${pi}].snapshotMode`;
    for (const manager of planArrayManagers(env, plan)) {
      const group = deployment.get(manager);
      if (group === undefined) continue;
      const earlier = chosen.get(group);
      if (earlier === undefined) chosen.set(group, { path, mode: plan.snapshotMode });
      else if (earlier.mode !== plan.snapshotMode) {
        issues.push({
          path,
          message: `Plan ${plan.name} asks for ${plan.snapshotMode}, but its Data Collector is set to ${earlier.mode} at ${earlier.path}; ${FIX}: remove ${path} and set arrayManagers[${managerIndex.get(manager)}].selectableSnapshot.`,
        });
        break;
      }
    }
  });

  if (issues.length === 0)
    for (const m of env.arrayManagers) {
      const value = chosen.get(deployment.get(m.name)!);
      if (value !== undefined) m.selectableSnapshot = value.mode;
    }
  return issues;
}

/** Whether Table 1 (§5.8) lets the selectable-snapshot setting decide, and the rule that says so. */
export interface Table1Verdict {
  honoured: boolean;
  reason: string;
}

/**
 * Table 1 of the guide (§5.8): the setting applies in a disaster recovery only with the protected
 * site down, in a test only with "replicate recent changes" off, never in a planned migration.
 * One rule for the SC Series adapter and the in-process simulator alike.
 */
export function selectableSnapshotHonoured(context: {
  workflow: string;
  syncData?: boolean | undefined;
  protectedSiteUp?: boolean | undefined;
}): Table1Verdict {
  switch (context.workflow) {
    case 'planned-migration':
    case 'failback':
      return { honoured: false, reason: 'not honoured in a planned migration (Table 1)' };
    case 'disaster-recovery':
      return context.protectedSiteUp === false
        ? { honoured: true, reason: 'honoured in disaster recovery with the protected site down (Table 1)' }
        : { honoured: false, reason: 'not honoured in disaster recovery while the protected site is up (Table 1)' };
    case 'test':
      // SRM's "replicate recent changes" defaults to on: only an explicit off honours the setting.
      return context.syncData === false
        ? { honoured: true, reason: 'honoured in a test with "replicate recent changes" off (Table 1)' }
        : { honoured: false, reason: 'not honoured in a test that replicates recent changes (Table 1)' };
    default:
      return { honoured: false, reason: `not honoured outside test and recovery (workflow ${context.workflow})` };
  }
}
