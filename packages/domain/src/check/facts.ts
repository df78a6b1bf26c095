import type { Environment, RecoveryPlan, Volume } from '../model/environment.js';
import { planDevices } from '../model/plan-vms.js';

/** What the rules ask about an environment, computed once. */
export interface EnvironmentFacts {
  env: Environment;
  /** Devices of array-based protection groups (what SRM recovers through an SRA). */
  protectedDevices: Set<string>;
  /** Protected Live Volumes. */
  liveVolumes: Volume[];
  volumeIndex: Map<string, number>;
  arraySite: Map<string, string>;
  /** Sites some plan recovers to / protects. */
  recoverySites: Set<string>;
  protectedSites: Set<string>;
  /** Datastores recovered by each plan (by plan name). */
  planDatastores: Map<string, Set<string>>;
}

export function environmentFacts(env: Environment): EnvironmentFacts {
  const protectedDevices = new Set<string>();
  const planDatastores = new Map<string, Set<string>>();
  for (const plan of env.plans) {
    for (const d of planDevices(env, plan)) protectedDevices.add(d);
    planDatastores.set(plan.name, datastoresOf(env, plan));
  }
  return {
    env,
    protectedDevices,
    liveVolumes: env.volumes.filter((v) => v.liveVolume && protectedDevices.has(v.id)),
    volumeIndex: new Map(env.volumes.map((v, i) => [v.id, i] as const)),
    arraySite: new Map(env.arrays.map((a) => [a.id, a.site] as const)),
    recoverySites: new Set(env.plans.map((p) => p.recoverySite)),
    protectedSites: new Set(env.plans.map((p) => p.protectedSite)),
    planDatastores,
  };
}

function datastoresOf(env: Environment, plan: RecoveryPlan): Set<string> {
  const out = new Set<string>();
  for (const name of plan.protectionGroups) {
    const group = env.protectionGroups.find((g) => g.name === name);
    if (group?.type === 'array') for (const ds of group.datastores) out.add(ds);
  }
  return out;
}

/** Array managers that serve array-based replication (not vSphere Replication), with their index. */
export function arrayBasedManagers(env: Environment) {
  return env.arrayManagers
    .map((manager, index) => ({ manager, index }))
    .filter(({ manager }) => manager.adapter !== 'vsphere-replication');
}

/**
 * Thresholds for "larger environments" (§4.7 names none): past these, the guide's advice to raise
 * the storage and rescan timeouts applies.
 */
export const LARGE = {
  planDatastores: 50,
  siteHosts: 32,
  planVms: 100,
  consistencyGroupVolumes: 40,
} as const;
