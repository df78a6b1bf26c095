import type { Environment } from '../model/environment.js';
import { planDatastores, resolvePlanVms } from '../model/plan-vms.js';
import type { EnvironmentFacts } from './facts.js';
import { finding, type Finding } from './finding.js';

/** What one site's vCenter reported (`drctl check --live` against real endpoints). */
export interface ObservedSite {
  site: string;
  hosts: Array<{ name: string; cluster?: string | undefined; devices: string[] }>;
  datastores: Array<{ name: string; extents: string[]; hosts: string[] }>;
  /** `toolsInstalled` undefined: vCenter did not say. */
  vms: Array<{ name: string; toolsInstalled?: boolean | undefined; toolsStatus?: string | undefined }>;
}

/**
 * The NAA id vCenter shows for a replicated device: the device id itself when it is one (an SC
 * volume's device id is its NAA id), as the vSphere adapter looks for it when recovering.
 */
export function naaOfDevice(device: string): string | undefined {
  const hex = device.toLowerCase().replace(/^naa\./, '');
  return /^[0-9a-f]{16,32}$/.test(hex) ? `naa.${hex}` : undefined;
}

/** A recovered datastore keeps its name, or gets SRM's resignatured `snap-XXXXXXXX-<name>`. */
function sameDatastore(reported: string, name: string): boolean {
  return reported === name || (reported.startsWith('snap-') && reported.slice(14) === name && reported[13] === '-');
}

/**
 * The vCenter rules of `--live`: VMware Tools in each protected VM, protected VMs and hosts the
 * vCenter does not hold, and hosts of one cluster that do not all see the same datastores and
 * devices (so a VM placed on one of them cannot run there, and SRM mounts a recovered datastore
 * only on the hosts its device is presented to).
 */
export function liveVcenterRules(facts: EnvironmentFacts, observed: readonly ObservedSite[]): Finding[] {
  const { env } = facts;
  const out: Finding[] = [];
  const bySite = new Map(observed.map((o) => [o.site, o] as const));
  const vmIndex = new Map(env.vms.map((v, i) => [v.name, i] as const));

  // Protected VMs at the protected site of each plan: present, and with Tools.
  const judged = new Set<string>();
  for (const plan of env.plans) {
    const site = bySite.get(plan.protectedSite);
    if (!site) continue;
    const reported = new Map(site.vms.map((v) => [v.name, v] as const));
    for (const vm of resolvePlanVms(env, plan)) {
      if (judged.has(vm.name)) continue;
      judged.add(vm.name);
      const at = `vms[${vmIndex.get(vm.name) ?? 0}]`;
      const seen = reported.get(vm.name);
      if (!seen) {
        out.push(
          finding(
            'LIVE_NOT_IN_VCENTER',
            `${at}.name`,
            `VM ${vm.name}, protected by plan ${plan.name}, is not in the vCenter of site ${plan.protectedSite}.`,
            'live',
          ),
        );
        continue;
      }
      if (seen.toolsInstalled === false && vm.startupAction === 'power-on')
        out.push(
          finding(
            'LIVE_VM_NO_TOOLS',
            at,
            `VM ${vm.name} has no VMware Tools (vCenter reports ${seen.toolsStatus ?? 'not installed'}): ` +
              (vm.toolsWaitSeconds > 0
                ? `plan ${plan.name} waits ${vm.toolsWaitSeconds} s for a heartbeat that never comes, then fails its recovery`
                : `plan ${plan.name} cannot tell when it has booted`) +
              ', and its shutdown at the protected site is a hard power-off.',
            'live',
          ),
        );
    }
  }

  env.sites.forEach((site, s) => {
    const reported = bySite.get(site.name);
    if (!reported) return;
    const hostsByName = new Map(reported.hosts.map((h) => [h.name, h] as const));
    site.clusters.forEach((cluster, c) =>
      cluster.hosts.forEach((host, h) => {
        if (!hostsByName.has(host.name))
          out.push(
            finding(
              'LIVE_NOT_IN_VCENTER',
              `sites[${s}].clusters[${c}].hosts[${h}].name`,
              `Host ${host.name} of cluster ${cluster.name} is not in the vCenter of site ${site.name}.`,
              'live',
            ),
          );
      }),
    );
    out.push(...visibilityRules(env, s, reported));
  });
  return out;
}

/** Datastores a site's hosts should see alike: its own, those recovered to it, its placeholder datastore. */
function datastoresAt(env: Environment, site: string): string[] {
  const names = new Set(env.datastores.filter((d) => d.site === site).map((d) => d.name));
  for (const plan of env.plans) if (plan.recoverySite === site) for (const d of planDatastores(env, plan)) names.add(d);
  return [...names];
}

function visibilityRules(env: Environment, siteIndex: number, reported: ObservedSite): Finding[] {
  const site = env.sites[siteIndex]!;
  const out: Finding[] = [];
  const hostsByName = new Map(reported.hosts.map((h) => [h.name, h] as const));
  const recoveredHere = new Map<string, string[]>();
  for (const plan of env.plans) {
    if (plan.recoverySite !== site.name) continue;
    for (const vm of resolvePlanVms(env, plan)) {
      const host = vm.placements[site.name]?.host;
      if (host) recoveredHere.set(host, [...(recoveredHere.get(host) ?? []), vm.name]);
    }
  }
  const items = datastoresAt(env, site.name).map((name) => ({
    name,
    devices: env.datastores.find((d) => d.name === name)?.devices ?? [],
    placeholder: false,
  }));
  if (site.placeholderDatastore) items.push({ name: site.placeholderDatastore, devices: [], placeholder: true });

  for (const item of items) {
    const naas = item.devices.flatMap((d) => naaOfDevice(d) ?? []);
    const mounts = reported.datastores.filter(
      (d) => sameDatastore(d.name, item.name) || d.extents.some((e) => naas.includes(e)),
    );
    const sees = (host: string) =>
      mounts.some((m) => m.hosts.includes(host)) ||
      (hostsByName.get(host)?.devices.some((d) => naas.includes(d)) ?? false);
    site.clusters.forEach((cluster, c) => {
      const present = cluster.hosts.filter((h) => hostsByName.has(h.name));
      const seeing = present.filter((h) => sees(h.name)).map((h) => h.name);
      // Nobody seeing a replica before a failover is normal; some hosts seeing it is not (nor a
      // placeholder datastore nobody sees: SRM cannot create the placeholders there).
      if (seeing.length === 0 && !item.placeholder) return;
      cluster.hosts.forEach((host, h) => {
        if (!hostsByName.has(host.name) || seeing.includes(host.name)) return;
        const what =
          item.devices.length > 0
            ? `datastore ${item.name} (device ${item.devices.join(', ')})`
            : `datastore ${item.name}`;
        const vms = recoveredHere.get(host.name) ?? [];
        const others = seeing.length > 0 ? `, which ${seeing.join(', ')} of cluster ${cluster.name} see` : '';
        out.push(
          finding(
            'LIVE_HOST_CANNOT_SEE_DATASTORE',
            `sites[${siteIndex}].clusters[${c}].hosts[${h}].name`,
            `Host ${host.name} at ${site.name} cannot see ${what}${others}` +
              (item.placeholder
                ? '; the placeholder VMs placed on it cannot be created.'
                : vms.length > 0
                  ? `; ${vms.length} VM(s) are recovered to it (${vms.slice(0, 5).join(', ')}${vms.length > 5 ? ', …' : ''}).`
                  : '; a VM placed on it cannot run from that datastore.'),
            'live',
          ),
        );
      });
    });
  }
  return out;
}
