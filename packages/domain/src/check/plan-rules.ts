import { resolvePlanVms } from '../model/plan-vms.js';
import { DEFAULT_SNAPSHOT_MODE } from '../model/selectable-snapshot.js';
import type { EnvironmentFacts } from './facts.js';
import { finding, type Finding } from './finding.js';

/** §5.6, §5.8, §6.4, §8.1 and SRM's VM recovery rules, plan by plan. */
export function planRules(facts: EnvironmentFacts): Finding[] {
  const { env } = facts;
  const out: Finding[] = [];

  // §6.4 / §8.1: placeholder datastores at each site that receives placeholder VMs.
  const replicatedDatastores = new Set(
    env.datastores.filter((d) => d.devices.some((dev) => facts.volumeIndex.has(dev))).map((d) => d.name),
  );
  env.sites.forEach((s, i) => {
    const path = `sites[${i}].placeholderDatastore`;
    if (s.placeholderDatastore === undefined) {
      if (facts.recoverySites.has(s.name))
        out.push(
          finding(
            'NO_PLACEHOLDER_DATASTORE',
            path,
            `Site ${s.name} recovers VMs but has no placeholder datastore for their placeholder VMs.`,
          ),
        );
      else if (facts.protectedSites.has(s.name))
        out.push(
          finding(
            'NO_REPROTECT_PLACEHOLDER',
            path,
            `Site ${s.name} is protected but has no placeholder datastore; reprotect creates placeholder VMs there.`,
          ),
        );
    } else if (replicatedDatastores.has(s.placeholderDatastore)) {
      out.push(
        finding(
          'PLACEHOLDER_REPLICATED',
          path,
          `Placeholder datastore ${s.placeholderDatastore} of site ${s.name} sits on replicated storage.`,
        ),
      );
    }
  });

  const devicesOf = new Map(env.datastores.map((d) => [d.name, d.devices] as const));
  const arrayManagerName = new Map(env.arrays.map((a) => [a.id, a.arrayManager] as const));
  const managerOfArray = (arrayId: string | undefined) => {
    const name = arrayId === undefined ? undefined : arrayManagerName.get(arrayId);
    const index = env.arrayManagers.findIndex((m) => m.name === name);
    return index < 0 ? undefined : { manager: env.arrayManagers[index]!, index };
  };
  env.plans.forEach((plan, pi) => {
    const at = `plans[${pi}]`;
    const recovered = facts.planDatastores.get(plan.name) ?? new Set<string>();
    const vms = resolvePlanVms(env, plan);
    const byName = new Map(vms.map((v) => [v.name, v] as const));
    const settingsIndex = new Map(plan.vms.map((v, i) => [v.vm, i] as const));
    const vmPath = (name: string) => {
      const i = settingsIndex.get(name);
      return i === undefined ? `${at}.vms[vm=${name}]` : `${at}.vms[${i}]`;
    };
    const dependents = new Map<string, string[]>();
    const arrayGroups = new Set(
      env.protectionGroups
        .filter((g) => g.type === 'array' && plan.protectionGroups.includes(g.name))
        .map((g) => g.name),
    );

    for (const vm of vms) {
      for (const d of vm.dependsOn) dependents.set(d, [...(dependents.get(d) ?? []), vm.name]);
      // §6.4: a VM is pinned to all its datastores; one left out is not recovered.
      if (arrayGroups.has(vm.protectionGroup)) {
        const missing = vm.datastores.filter((d) => !recovered.has(d));
        if (missing.length > 0) {
          const vi = env.vms.findIndex((v) => v.name === vm.name);
          out.push(
            finding(
              'VM_DATASTORE_NOT_RECOVERED',
              `vms[${vi}].datastores`,
              `VM ${vm.name} of plan ${plan.name} also lives on ${missing.join(', ')}, which no protection group of the plan recovers; its recovery would miss those files.`,
            ),
          );
        }
      }
      if (vm.startupAction === 'power-on' && vm.toolsWaitSeconds > 0 && vm.toolsSeconds > vm.toolsWaitSeconds)
        out.push(
          finding(
            'TOOLS_WAIT_SHORTER_THAN_BOOT',
            `${vmPath(vm.name)}.toolsWaitSeconds`,
            `VM ${vm.name} sends its first VMware Tools heartbeat ${Math.round(vm.toolsSeconds)} s after power-on, but plan ${plan.name} waits only ${vm.toolsWaitSeconds} s: its recovery fails.`,
          ),
        );
    }
    for (const [name, waiting] of dependents) {
      const vm = byName.get(name);
      if (vm && vm.startupAction === 'power-on' && vm.toolsWaitSeconds === 0 && vm.delayAfterPowerOnSeconds === 0)
        out.push(
          finding(
            'TOOLS_WAIT_OFF_WITH_DEPENDENTS',
            `${vmPath(name)}.toolsWaitSeconds`,
            `${waiting.join(', ')} depend(s) on ${name}, which does not wait for VMware Tools: they power on before it has booted.`,
          ),
        );
    }

    // §5.8: the Data Collector's selectable-snapshot setting, as it applies to this plan's
    // recovered devices (a file from before the setting moved may still set it on the plan).
    const devices = [...recovered].flatMap((ds) => devicesOf.get(ds) ?? []);
    const modeOf = (device: string) => {
      const volume = env.volumes[facts.volumeIndex.get(device) ?? -1];
      const manager = managerOfArray(volume?.targetArray);
      return { mode: manager?.manager.selectableSnapshot ?? plan.snapshotMode ?? DEFAULT_SNAPSHOT_MODE, manager };
    };
    const settingPath = (device: string) => {
      const { manager } = modeOf(device);
      const onManager =
        manager && (manager.manager.selectableSnapshot !== undefined || plan.snapshotMode === undefined);
      return onManager ? `arrayManagers[${manager.index}].selectableSnapshot` : `${at}.snapshotMode`;
    };
    const perRestorePoint = devices.filter((d) => modeOf(d).mode === 'per-restore-point');
    if (perRestorePoint.length > 0) {
      const unset = perRestorePoint.filter((d) => plan.restorePoints[d] === undefined);
      if (unset.length > 0)
        out.push(
          finding(
            'PER_RESTORE_POINT_UNSET',
            `${at}.restorePoints`,
            `Plan ${plan.name} selects snapshots per restore point, but ${unset.slice(0, 5).join(', ')}${unset.length > 5 ? ` and ${unset.length - 5} more` : ''} name none.`,
          ),
        );
    }
    // §5.6: replicating the active snapshot gives crash-consistent data to applications.
    const applications = new Set<string>();
    let activePath: string | undefined;
    for (const vm of env.vms) {
      if (!vm.application || !byName.has(vm.name)) continue;
      const onActive = vm.datastores
        .flatMap((ds) => devicesOf.get(ds) ?? [])
        .find((dev) => {
          const mode = modeOf(dev).mode;
          return (
            (mode === 'always-active' || mode === 'active-if-replicating-active') &&
            env.volumes[facts.volumeIndex.get(dev) ?? -1]?.replicateActiveSnapshot
          );
        });
      if (onActive === undefined) continue;
      applications.add(vm.application);
      activePath ??= settingPath(onActive);
    }
    if (applications.size > 0)
      out.push(
        finding(
          'ACTIVE_SNAPSHOT_CRASH_CONSISTENT',
          activePath!,
          `Plan ${plan.name} recovers application(s) ${[...applications].join(', ')} from the active snapshot, which holds crash-consistent data.`,
        ),
      );
  });
  return out;
}
