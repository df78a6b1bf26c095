import type { Environment, InputIssue, RecoveryPlan } from '@drctl/domain';
import type { VsphereCompute } from './adapter.js';

/**
 * Before any change: connects to every site's vCenter and resolves every name the environment
 * (and the plan, when given) uses there — hosts, clusters, networks, the placeholder datastore,
 * datastores and their devices, VMs — and lists every problem, each with the path of the field
 * that names what is missing. An empty list means the run may start.
 */
export async function preflightVsphere(
  compute: VsphereCompute,
  environment: Environment,
  signal: AbortSignal,
  plan?: RecoveryPlan,
): Promise<InputIssue[]> {
  const issues: InputIssue[] = [];
  const inventories = new Map<string, Awaited<ReturnType<VsphereCompute['inventory']>>>();
  const sites = plan
    ? environment.sites.filter((s) => s.name === plan.protectedSite || s.name === plan.recoverySite)
    : environment.sites;
  const failures = new Map<string, string>();
  await Promise.all(
    sites.map(async (site) => {
      try {
        inventories.set(site.name, await compute.inventory(site.name, signal));
      } catch (error) {
        failures.set(site.name, error instanceof Error ? error.message : String(error));
      }
    }),
  );
  for (const site of sites) {
    const siteIndex = environment.sites.indexOf(site);
    const at = `sites[${siteIndex}]`;
    const inventory = inventories.get(site.name);
    if (!inventory) {
      issues.push({ path: `${at}.vcenterConnection`, message: failures.get(site.name) ?? 'not read' });
      continue;
    }
    const missing = (path: string, kind: string, name: string) =>
      issues.push({ path, message: `${kind} ${name} is not in the vCenter of site ${site.name}` });
    site.clusters.forEach((cluster, c) => {
      if (!inventory.clusters.has(cluster.name)) missing(`${at}.clusters[${c}].name`, 'cluster', cluster.name);
      cluster.hosts.forEach((host, h) => {
        if (!inventory.hosts.has(host.name)) missing(`${at}.clusters[${c}].hosts[${h}].name`, 'host', host.name);
      });
    });
    for (const kind of ['production', 'test'] as const) {
      site.networks[kind].forEach((network, n) => {
        if (!inventory.networks.has(network)) missing(`${at}.networks.${kind}[${n}]`, 'network', network);
      });
    }
    if (site.placeholderDatastore && !inventory.datastores.has(site.placeholderDatastore))
      missing(`${at}.placeholderDatastore`, 'datastore', site.placeholderDatastore);
    environment.datastores.forEach((ds, d) => {
      if (ds.site !== site.name) return;
      // Once recovered (after a failback too) a datastore is a resignatured copy, snap-XXXXXXXX-<name>;
      // after a planned migration or a disaster recovery it is mounted at the site a plan
      // recovered it to.
      const copy = new RegExp(`^snap-[0-9a-f]{8}-${ds.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
      const lookUp = (at: string) => {
        const stores = inventories.get(at)?.datastores;
        return stores?.get(ds.name) ?? [...(stores?.entries() ?? [])].find(([n]) => copy.test(n))?.[1];
      };
      const found = lookUp(site.name);
      if (!found) {
        if (!recoverySitesOf(environment, ds.site).some((s) => lookUp(s)))
          missing(`datastores[${d}].name`, 'datastore', ds.name);
        return;
      }
      ds.devices.forEach((device, i) => {
        const naa = compute.naaOf(device);
        if (naa !== undefined && found.extents.length > 0 && !found.extents.includes(naa))
          issues.push({
            path: `datastores[${d}].devices[${i}]`,
            message: `datastore ${ds.name} at ${site.name} is not on device ${device} (${naa}); its extents are ${found.extents.join(', ')}`,
          });
      });
    });
    environment.vms.forEach((vm, v) => {
      if (vm.site !== site.name) return;
      // At its protected site or — after a planned migration or a disaster recovery — at the site
      // a plan recovered it to: missing only when neither vCenter holds it.
      if (![vm.site, ...recoverySitesOf(environment, vm.site)].some((s) => inventories.get(s)?.vms.has(vm.name)))
        missing(`vms[${v}].name`, 'VM', vm.name);
      if (!inventory.hosts.has(vm.host)) missing(`vms[${v}].host`, 'host', vm.host);
    });
    if (plan && site.name === plan.recoverySite) {
      const planIndex = environment.plans.indexOf(plan);
      for (const [from, to] of Object.entries(plan.testNetworks))
        if (!inventory.networks.has(to)) missing(`plans[${planIndex}].testNetworks.${from}`, 'network', to);
      plan.vms.forEach((vm, v) => {
        if (vm.recoveryHost && !inventory.hosts.has(vm.recoveryHost))
          missing(`plans[${planIndex}].vms[${v}].recoveryHost`, 'host', vm.recoveryHost);
      });
    }
  }
  return issues;
}

/** Sites the plans protecting `site` recover to. */
function recoverySitesOf(environment: Environment, site: string): string[] {
  return environment.plans.filter((p) => p.protectedSite === site).map((p) => p.recoverySite);
}
