import type { Callout } from './callouts.js';
import type { Environment, RecoveryPlan, Vm, VmRecovery } from './environment.js';
import { vmRecoverySchema } from './environment.js';
import type { Priority } from '../workflow/steps.js';

export interface Placement {
  site: string;
  cluster: string;
  host: string;
}

/** A protected VM with its effective recovery settings and where it lives at each site. */
export interface PlanVm {
  name: string;
  priority: Priority;
  dependsOn: string[];
  startupAction: 'power-on' | 'do-not-power-on';
  toolsWaitSeconds: number;
  delayAfterPowerOnSeconds: number;
  shutdownAction: 'guest-shutdown' | 'power-off';
  shutdownTimeoutSeconds: number;
  prePowerOn: Callout[];
  postPowerOn: Callout[];
  datastores: string[];
  protectionGroup: string;
  /** Placement at the plan's original protected site and recovery site. */
  placements: Record<string, Placement>;
  /** Simulation timings, seconds. */
  bootSeconds: number;
  toolsSeconds: number;
  shutdownSeconds: number;
}

/** Cluster at `toSite` that `cluster` maps to: an explicit mapping, else the one at the same index. */
export function mappedCluster(env: Environment, cluster: string, fromSite: string, toSite: string): string {
  const target = env.sites.find((s) => s.name === toSite)!;
  const names = new Set(target.clusters.map((c) => c.name));
  for (const m of env.resourceMappings) {
    if (m.from === cluster && names.has(m.to)) return m.to;
    if (m.to === cluster && names.has(m.from)) return m.from;
  }
  const from = env.sites.find((s) => s.name === fromSite)!;
  const index = Math.max(
    0,
    from.clusters.findIndex((c) => c.name === cluster),
  );
  return target.clusters[Math.min(index, target.clusters.length - 1)]!.name;
}

function defaultsFor(vm: string): VmRecovery {
  return vmRecoverySchema.parse({ vm });
}

/**
 * The VMs a plan protects, in file order, with their settings and placements at both sites.
 * Recovery hosts are spread round-robin over the mapped cluster unless a VM names its own.
 */
export function resolvePlanVms(env: Environment, plan: RecoveryPlan): PlanVm[] {
  const vmByName = new Map(env.vms.map((v) => [v.name, v] as const));
  const settingsByVm = new Map(plan.vms.map((v) => [v.vm, v] as const));
  const out: PlanVm[] = [];
  const seen = new Set<string>();
  const roundRobin = new Map<string, number>();
  const recoverySite = env.sites.find((s) => s.name === plan.recoverySite)!;
  // Thousands of VMs share a few clusters: map each (site, cluster) once.
  const mapped = new Map<string, string>();
  const recoveryCluster = (vm: Vm) => {
    const key = `${vm.site}\u0000${vm.cluster}`;
    let cluster = mapped.get(key);
    if (cluster === undefined) {
      cluster = mappedCluster(env, vm.cluster, vm.site, plan.recoverySite);
      mapped.set(key, cluster);
    }
    return cluster;
  };

  const add = (vm: Vm, group: string) => {
    if (seen.has(vm.name)) return;
    seen.add(vm.name);
    const s = settingsByVm.get(vm.name) ?? defaultsFor(vm.name);
    const cluster = recoveryCluster(vm);
    let host = s.recoveryHost;
    let hostCluster = cluster;
    if (host !== undefined) {
      hostCluster = recoverySite.clusters.find((c) => c.hosts.some((h) => h.name === host))?.name ?? cluster;
    } else {
      const hosts = recoverySite.clusters.find((c) => c.name === cluster)!.hosts;
      const i = roundRobin.get(cluster) ?? 0;
      roundRobin.set(cluster, i + 1);
      host = hosts[i % hosts.length]!.name;
    }
    out.push({
      name: vm.name,
      priority: s.priority,
      dependsOn: s.dependsOn,
      startupAction: s.startupAction,
      toolsWaitSeconds: s.toolsWaitSeconds,
      delayAfterPowerOnSeconds: s.delayAfterPowerOnSeconds,
      shutdownAction: s.shutdownAction,
      shutdownTimeoutSeconds: s.shutdownTimeoutSeconds,
      prePowerOn: s.prePowerOn,
      postPowerOn: s.postPowerOn,
      datastores: vm.datastores,
      protectionGroup: group,
      placements: {
        [vm.site]: { site: vm.site, cluster: vm.cluster, host: vm.host },
        [plan.recoverySite]: { site: plan.recoverySite, cluster: hostCluster, host },
      },
      bootSeconds: vm.bootSeconds,
      toolsSeconds: vm.toolsSeconds,
      shutdownSeconds: vm.shutdownSeconds,
    });
  };

  const groups = plan.protectionGroups.map((name) => env.protectionGroups.find((g) => g.name === name));
  // The VMs on each array group's datastores, in file order: one pass over the VMs, not one per group.
  const onGroup = groups.map((): Vm[] => []);
  const groupsOfDatastore = new Map<string, number[]>();
  groups.forEach((group, i) => {
    if (group?.type !== 'array') return;
    for (const ds of group.datastores) {
      const list = groupsOfDatastore.get(ds);
      if (list) list.push(i);
      else groupsOfDatastore.set(ds, [i]);
    }
  });
  for (const vm of env.vms) {
    for (const ds of vm.datastores) {
      for (const i of groupsOfDatastore.get(ds) ?? []) {
        const list = onGroup[i]!;
        if (list[list.length - 1] !== vm) list.push(vm);
      }
    }
  }

  groups.forEach((group, i) => {
    if (!group) return;
    if (group.type === 'array') {
      for (const vm of onGroup[i]!) add(vm, group.name);
    } else {
      for (const name of group.vms) {
        const vm = vmByName.get(name);
        if (vm) add(vm, group.name);
      }
    }
  });
  return out;
}

/** Devices (volume ids) behind the datastores of a plan's array-based protection groups. */
export function planDevices(env: Environment, plan: RecoveryPlan): string[] {
  const devices = new Set<string>();
  for (const groupName of plan.protectionGroups) {
    const group = env.protectionGroups.find((g) => g.name === groupName);
    if (group?.type !== 'array') continue;
    for (const ds of group.datastores) {
      for (const dev of env.datastores.find((d) => d.name === ds)?.devices ?? []) devices.add(dev);
    }
  }
  return [...devices];
}

/** Datastores of a plan's array-based protection groups. */
export function planDatastores(env: Environment, plan: RecoveryPlan): string[] {
  const out: string[] = [];
  for (const groupName of plan.protectionGroups) {
    const group = env.protectionGroups.find((g) => g.name === groupName);
    if (group?.type === 'array') out.push(...group.datastores);
  }
  return out;
}
