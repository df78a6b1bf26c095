import { effectiveCommandTimeoutSeconds } from '../settings/resolve.js';
import type { Settings } from '../settings/definitions.js';
import type { Environment } from './environment.js';

/** One finding of the best-practice check, with the source document's section it comes from. */
export interface Finding {
  severity: 'error' | 'warning' | 'info';
  code: string;
  /** Path of the field the finding is about, e.g. `volumes[3].liveVolume.autoFailover`. */
  path: string;
  message: string;
  /** Section of Dell's "SC Series Best Practices with VMware SRM" the rule comes from. */
  source: string;
}

/**
 * Checks an environment against what Dell's SC Series + SRM best-practice guide adds beyond
 * SRM itself. Errors make a configuration SRM cannot recover; warnings are risks to fix.
 */
export function checkBestPractices(env: Environment, settings?: Settings): Finding[] {
  const findings: Finding[] = [];
  const add = (f: Finding) => findings.push(f);
  const protectedDevices = new Set<string>();
  for (const group of env.protectionGroups) {
    if (group.type !== 'array') continue;
    for (const ds of group.datastores)
      for (const d of env.datastores.find((x) => x.name === ds)?.devices ?? []) protectedDevices.add(d);
  }
  const liveVolumes = env.volumes.filter((v) => v.liveVolume && protectedDevices.has(v.id));

  // §4.1: where the DSM Data Collector runs.
  const protectedSites = new Set(env.plans.map((p) => p.protectedSite));
  const recoverySites = new Set(env.plans.map((p) => p.recoverySite));
  env.arrayManagers.forEach((m, i) => {
    const c = m.connection;
    if (m.adapter !== 'sc-series' || !c) return;
    const at = `arrayManagers[${i}].connection`;
    if (liveVolumes.length > 0) {
      if (c.dataCollectorSite !== undefined && c.dataCollectorSite !== 'third-site') {
        add({
          severity: 'warning',
          code: 'DC_NOT_THIRD_SITE',
          path: `${at}.dataCollectorSite`,
          source: '§4.1',
          message: `With Live Volume protecting both sites, a single Data Collector must run at a third site, not at ${c.dataCollectorSite}.`,
        });
      }
      if (c.remoteDataCollector) {
        add({
          severity: 'warning',
          code: 'REMOTE_DC_WITH_LIVE_VOLUME',
          path: `${at}.remoteDataCollector`,
          source: '§4.1',
          message: 'A Remote Data Collector is not used with Live Volume: use one Data Collector at a third site.',
        });
      }
    } else if (
      c.dataCollectorSite !== undefined &&
      protectedSites.has(c.dataCollectorSite) &&
      !recoverySites.has(c.dataCollectorSite)
    ) {
      add({
        severity: 'warning',
        code: 'DC_AT_PROTECTED_SITE',
        path: `${at}.dataCollectorSite`,
        source: '§4.1',
        message: `The Data Collector runs at the protected site ${c.dataCollectorSite}; a disaster there takes it down with it. Place it at the recovery site.`,
      });
    }
  });

  // §4.3: the SRA account needs rights on both arrays of each pair.
  env.arrayPairs.forEach((pair, i) => {
    pair.arrays.forEach((id, j) => {
      const array = env.arrays.find((a) => a.id === id);
      if (array && !array.sraAccountHasRights) {
        add({
          severity: 'error',
          code: 'SRA_ACCOUNT_RIGHTS',
          path: `arrayPairs[${i}].arrays[${j}]`,
          source: '§4.3',
          message: `The SRA account has no rights on array ${id}; it needs administrator rights on both arrays of pair ${pair.name}.`,
        });
      }
    });
  });

  // §4.5: automatic restore-point saving degrades restore points after a disaster recovery.
  env.arrays.forEach((a, i) => {
    if (a.autoSaveRestorePoints) {
      add({
        severity: 'warning',
        code: 'AUTO_RESTORE_POINTS',
        path: `arrays[${i}].autoSaveRestorePoints`,
        source: '§4.5',
        message: `Automatic restore-point saving is on for ${a.id}; turn it off so restore points are not degraded after disaster recovery.`,
      });
    }
  });

  env.volumes.forEach((v, i) => {
    const at = `volumes[${i}]`;
    if (!protectedDevices.has(v.id)) return;
    // §5.4: what SRM cannot protect.
    if (v.replication === 'sync-high-consistency') {
      add({
        severity: 'error',
        code: 'SYNC_HIGH_CONSISTENCY',
        path: `${at}.replication`,
        source: '§5.4',
        message: `${v.id} replicates synchronously in high-consistency mode, which SRM does not support; use asynchronous or synchronous high-availability.`,
      });
    }
    if (v.liveVolume?.autoFailover)
      add({
        severity: 'error',
        code: 'LV_AUTO_FAILOVER',
        path: `${at}.liveVolume.autoFailover`,
        source: '§5.4',
        message: `Live Volume ${v.id} has automatic failover on; SRM needs it off.`,
      });
    if (v.liveVolume?.autoRoleSwap)
      add({
        severity: 'error',
        code: 'LV_AUTO_ROLE_SWAP',
        path: `${at}.liveVolume.autoRoleSwap`,
        source: '§5.4',
        message: `Live Volume ${v.id} has automatic role swap on; SRM needs it off.`,
      });
    if (v.liveVolume?.uniformMapping)
      add({
        severity: 'error',
        code: 'LV_UNIFORM_MAPPING',
        path: `${at}.liveVolume.uniformMapping`,
        source: '§5.4',
        message: `Live Volume ${v.id} uses uniform mapping; SRM supports non-uniform mapping only.`,
      });
    // §5.3: matching QoS on both arrays of the pair.
    if (v.qosProfile !== undefined && v.targetQosProfile !== undefined && v.qosProfile !== v.targetQosProfile) {
      add({
        severity: 'warning',
        code: 'QOS_MISMATCH',
        path: `${at}.targetQosProfile`,
        source: '§5.3',
        message: `${v.id} uses QoS ${v.qosProfile} on its source but ${v.targetQosProfile} on its target; inconsistent QoS can make reprotect or failback fail.`,
      });
    }
  });

  // §4.7: commandTimeout + 90 s per Live Volume SRM manages. drctl adds the 90 s for each Live
  // Volume of the plan it runs (once; not to a value from vmware-dr.xml, which should hold them).
  if (settings && liveVolumes.length > 0) {
    const srmValue = effectiveCommandTimeoutSeconds(settings, liveVolumes.length);
    add({
      severity: 'info',
      code: 'COMMAND_TIMEOUT_LIVE_VOLUMES',
      path: 'settings.storage.commandTimeout',
      source: '§4.7',
      message: `${liveVolumes.length} Live Volume(s) are protected: drctl adds 90 s for each Live Volume of the plan it runs; SRM's own storage.commandTimeout (vmware-dr.xml) should already include them: at least ${srmValue} s.`,
    });
    if (
      settings['storageProvider.stretchedDevicesMatchTimeout'] !== 0 &&
      settings['storageProvider.stretchedDevicesMatchTimeout'] < 1000
    ) {
      add({
        severity: 'warning',
        code: 'STRETCHED_MATCH_TIMEOUT',
        path: 'settings.storageProvider.stretchedDevicesMatchTimeout',
        source: '§4.7',
        message:
          'With Live Volume stretched storage, raise storageProvider.stretchedDevicesMatchTimeout to 1000 s or more.',
      });
    }
  }

  // SRM needs a placeholder datastore at each site that recovers VMs (§6.4) — the protected site
  // too: reprotect creates the placeholders there.
  env.sites.forEach((s, i) => {
    if (s.placeholderDatastore !== undefined) return;
    if (recoverySites.has(s.name)) {
      add({
        severity: 'warning',
        code: 'NO_PLACEHOLDER_DATASTORE',
        path: `sites[${i}].placeholderDatastore`,
        source: '§6.4',
        message: `Site ${s.name} recovers VMs but has no placeholder datastore.`,
      });
    } else if (protectedSites.has(s.name)) {
      add({
        severity: 'warning',
        code: 'NO_PLACEHOLDER_DATASTORE',
        path: `sites[${i}].placeholderDatastore`,
        source: '§6.4',
        message: `Site ${s.name} has no placeholder datastore: reprotect creates its placeholder VMs there and would fail.`,
      });
    }
  });

  // §5.7: an application's volumes that finished replicating at different times.
  const byApplication = new Map<string, Set<string>>();
  for (const vm of env.vms) {
    if (!vm.application) continue;
    const devices = byApplication.get(vm.application) ?? new Set<string>();
    for (const ds of vm.datastores)
      for (const d of env.datastores.find((x) => x.name === ds)?.devices ?? []) devices.add(d);
    byApplication.set(vm.application, devices);
  }
  for (const [application, devices] of byApplication) {
    const times = [...devices]
      .map((d) => env.volumes.find((v) => v.id === d))
      .filter((v) => v?.lastReplicatedAt !== undefined);
    const distinct = new Set(times.map((v) => v!.lastReplicatedAt));
    if (distinct.size > 1) {
      const oldest = [...distinct].sort()[0];
      add({
        severity: 'warning',
        code: 'INCONSISTENT_REPLICATION_POINTS',
        path: `vms[application=${application}]`,
        source: '§5.7',
        message: `The volumes of application ${application} (${times.map((v) => `${v!.id} at ${v!.lastReplicatedAt}`).join(', ')}) finished replicating at different times; recover them from a common consistent point (${oldest}) or expect manual intervention.`,
      });
    }
  }
  return findings;
}
