import type { ReplicationType } from '../model/environment.js';
import { LARGE, type EnvironmentFacts } from './facts.js';
import { finding, type Finding } from './finding.js';
import type { CheckScope } from './rules.js';

/** A replicated volume's settings, as the environment file declares them or an array reports them. */
export interface VolumeFacts {
  id: string;
  replication: ReplicationType;
  replicateActiveSnapshot: boolean;
  consistencyGroup?: string | undefined;
  liveVolume?:
    { autoFailover: boolean; autoRoleSwap: boolean; uniformMapping: boolean; managedReplication?: boolean } | undefined;
  qosProfile?: string | undefined;
  targetQosProfile?: string | undefined;
  lastReplicatedAt?: string | undefined;
}

/**
 * §5.3 and §5.4 on one protected volume. `at` is the path of the volume; live checks pass the
 * path of the device the array reported, so a finding names where the fact came from.
 */
export function volumeRules(v: VolumeFacts, at: string, scope: CheckScope): Finding[] {
  const out: Finding[] = [];
  const lv = v.liveVolume;
  if (lv) {
    // §5.4 excludes high-consistency synchronous replication for Live Volumes only; an ordinary
    // volume may replicate synchronously in either mode.
    if (v.replication === 'sync-high-consistency')
      out.push(
        finding(
          'LV_SYNC_HIGH_CONSISTENCY',
          `${at}.replication`,
          `Live Volume ${v.id} replicates synchronously in high-consistency mode, which SRM cannot protect.`,
          scope,
        ),
      );
    if (lv.autoFailover)
      out.push(
        finding(
          'LV_AUTO_FAILOVER',
          `${at}.liveVolume.autoFailover`,
          `Live Volume ${v.id} fails over by itself; SRM must be the only one to decide.`,
          scope,
        ),
      );
    if (lv.autoRoleSwap)
      out.push(
        finding(
          'LV_AUTO_ROLE_SWAP',
          `${at}.liveVolume.autoRoleSwap`,
          `Live Volume ${v.id} swaps roles by itself, which SRM cannot protect.`,
          scope,
        ),
      );
    if (lv.uniformMapping)
      out.push(
        finding(
          'LV_UNIFORM_MAPPING',
          `${at}.liveVolume.uniformMapping`,
          `Live Volume ${v.id} is mapped uniformly; SRM supports non-uniform mapping only.`,
          scope,
        ),
      );
    if (lv.managedReplication)
      out.push(
        finding(
          'LV_MANAGED_REPLICATION',
          `${at}.liveVolume.managedReplication`,
          `Live Volume ${v.id} manages a replication to a third Storage Center, which SRM does not support; DSM's Activate Disaster Recovery recovers it.`,
          scope,
        ),
      );
    if (v.consistencyGroup !== undefined)
      out.push(
        finding(
          'LV_CONSISTENCY_GROUP',
          `${at}.consistencyGroup`,
          `Live Volume ${v.id} is in consistency group ${v.consistencyGroup}, which SRM does not support with Live Volume.`,
          scope,
        ),
      );
  }
  if (v.qosProfile !== undefined && v.targetQosProfile !== undefined && v.qosProfile !== v.targetQosProfile)
    out.push(
      finding(
        'QOS_MISMATCH',
        `${at}.targetQosProfile`,
        `${v.id} uses QoS ${v.qosProfile} on its source but ${v.targetQosProfile} on its target; replication may lag, and reprotect or failback may fail.`,
        scope,
      ),
    );
  return out;
}

/**
 * §5.7: the volumes of one application should hold the same point in time. `lastReplicatedAt`
 * answers for a device (from the file, or from what an array reported).
 */
export function replicationPointRules(
  facts: EnvironmentFacts,
  lastReplicatedAt: (device: string) => string | undefined,
  scope: CheckScope,
): Finding[] {
  const { env } = facts;
  const byApplication = new Map<string, Set<string>>();
  const devicesOf = new Map(env.datastores.map((d) => [d.name, d.devices] as const));
  for (const vm of env.vms) {
    if (!vm.application) continue;
    const devices = byApplication.get(vm.application) ?? new Set<string>();
    for (const ds of vm.datastores) for (const d of devicesOf.get(ds) ?? []) devices.add(d);
    byApplication.set(vm.application, devices);
  }
  const out: Finding[] = [];
  for (const [application, devices] of byApplication) {
    const times = [...devices]
      .map((id) => ({ id, at: lastReplicatedAt(id) }))
      .filter((t): t is { id: string; at: string } => t.at !== undefined);
    const distinct = [...new Set(times.map((t) => t.at))].sort();
    if (distinct.length > 1) {
      out.push(
        finding(
          'INCONSISTENT_REPLICATION_POINTS',
          `vms[application=${application}]`,
          `The volumes of application ${application} (${times.map((t) => `${t.id} at ${t.at}`).join(', ')}) finished replicating at different times; recover them from a common consistent point (${distinct[0]}) or expect manual intervention.`,
          scope,
        ),
      );
    }
  }
  return out;
}

/** §4.2–§4.5, §5.3–§5.8, §6.2 and SRM's direction rule on the file's arrays, pairs and volumes. */
export function storageRules(facts: EnvironmentFacts): Finding[] {
  const { env, protectedDevices, arraySite } = facts;
  const out: Finding[] = [];
  const arrayById = new Map(env.arrays.map((a) => [a.id, a] as const));

  env.arrayPairs.forEach((pair, i) => {
    pair.arrays.forEach((id, j) => {
      const array = arrayById.get(id);
      if (array && !array.sraAccountHasRights)
        out.push(
          finding(
            'SRA_ACCOUNT_RIGHTS',
            `arrayPairs[${i}].arrays[${j}]`,
            `The SRA account has no rights on array ${id}; the SRA cannot change replication on pair ${pair.name}.`,
          ),
        );
    });
    const [a, b] = pair.arrays.map((id) => arrayById.get(id));
    if (a?.qosProfile !== undefined && b?.qosProfile !== undefined && a.qosProfile !== b.qosProfile)
      out.push(
        finding(
          'QOS_ARRAY_MISMATCH',
          `arrays[${env.arrays.indexOf(b)}].qosProfile`,
          `Arrays ${a.id} (${a.qosProfile}) and ${b.id} (${b.qosProfile}) of pair ${pair.name} have different QoS definitions; reprotect or failback may fail.`,
        ),
      );
  });

  env.arrays.forEach((a, i) => {
    if (a.autoSaveRestorePoints)
      out.push(
        finding(
          'AUTO_RESTORE_POINTS',
          `arrays[${i}].autoSaveRestorePoints`,
          `Automatic restore-point saving is on for ${a.id}; restore points degrade after a disaster recovery.`,
        ),
      );
  });

  const groupMembers = new Map<string, number>();
  env.volumes.forEach((v, i) => {
    if (v.consistencyGroup !== undefined)
      groupMembers.set(v.consistencyGroup, (groupMembers.get(v.consistencyGroup) ?? 0) + 1);
    if (!protectedDevices.has(v.id)) return;
    out.push(...volumeRules(v, `volumes[${i}]`, 'static'));
  });
  for (const [group, count] of groupMembers) {
    if (count > LARGE.consistencyGroupVolumes) {
      const first = env.volumes.findIndex((v) => v.consistencyGroup === group);
      out.push(
        finding(
          'CONSISTENCY_GROUP_TOO_LARGE',
          `volumes[${first}].consistencyGroup`,
          `Consistency group ${group} holds ${count} volumes; a consistent Replay Profile halts I/O on at most ${LARGE.consistencyGroupVolumes}.`,
        ),
      );
    }
  }
  out.push(
    ...replicationPointRules(facts, (id) => env.volumes[facts.volumeIndex.get(id) ?? -1]?.lastReplicatedAt, 'static'),
  );

  // §6.2: protection groups need an enabled array pair.
  env.protectionGroups.forEach((g) => {
    if (g.type !== 'array') return;
    const pi = env.arrayPairs.findIndex((p) => p.name === g.arrayPair);
    if (pi >= 0 && !env.arrayPairs[pi]!.enabled)
      out.push(
        finding(
          'ARRAY_PAIR_DISABLED',
          `arrayPairs[${pi}].enabled`,
          `Protection group ${g.name} uses array pair ${g.arrayPair}, which is disabled; SRM sees none of its devices.`,
        ),
      );
  });

  // SRM's DIRECTION_ERROR: every volume of a plan replicates from the plan's protected site.
  env.plans.forEach((plan, pi) => {
    const wrong = new Set<string>();
    for (const ds of facts.planDatastores.get(plan.name) ?? [])
      for (const dev of env.datastores.find((d) => d.name === ds)?.devices ?? []) {
        const v = env.volumes[facts.volumeIndex.get(dev) ?? -1];
        if (v && arraySite.get(v.sourceArray) !== plan.protectedSite) wrong.add(v.id);
      }
    if (wrong.size > 0)
      out.push(
        finding(
          'PLAN_DIRECTION',
          `plans[${pi}].protectedSite`,
          `Plan ${plan.name} protects ${plan.protectedSite}, but ${[...wrong].slice(0, 5).join(', ')}${wrong.size > 5 ? ` and ${wrong.size - 5} more` : ''} replicate from another site.`,
        ),
      );
  });
  return out;
}
