import { limitOrInfinity } from '../settings/resolve.js';
import { effectiveCommandTimeoutSeconds } from '../settings/resolve.js';
import type { Settings } from '../settings/definitions.js';
import { resolvePlanVms } from '../model/plan-vms.js';
import { LARGE, type EnvironmentFacts } from './facts.js';
import { finding, type Finding } from './finding.js';

/** §4.7: SRM's advanced settings against the environment's size, Live Volumes and clusters. */
export function settingsRules(facts: EnvironmentFacts, settings: Settings): Finding[] {
  const { env, liveVolumes } = facts;
  const out: Finding[] = [];
  const commandTimeout = settings['storage.commandTimeout'];
  if (liveVolumes.length > 0) {
    const applied = effectiveCommandTimeoutSeconds(settings, liveVolumes.length);
    out.push(
      finding(
        'COMMAND_TIMEOUT_LIVE_VOLUMES',
        'settings.storage.commandTimeout',
        `${liveVolumes.length} Live Volume(s) are protected: drctl adds 90 s for each Live Volume of the plan it runs (${applied} s with all of them), once: a storage.commandTimeout read from vmware-dr.xml is taken as already including them; SRM itself does not add the 90 s.`,
      ),
    );
    const match = settings['storageProvider.stretchedDevicesMatchTimeout'];
    if (match !== 0 && match < 1000)
      out.push(
        finding(
          'STRETCHED_MATCH_TIMEOUT',
          'settings.storageProvider.stretchedDevicesMatchTimeout',
          `Live Volume stretched storage is protected, and matching stretched devices may take only ${match} s.`,
        ),
      );
  }

  const largest = [...facts.planDatastores.entries()].sort((a, b) => b[1].size - a[1].size)[0];
  const hostsAt = (site: string) =>
    env.sites.find((s) => s.name === site)?.clusters.reduce((n, c) => n + c.hosts.length, 0) ?? 0;
  if (largest && largest[1].size > LARGE.planDatastores) {
    const [plan, datastores] = largest;
    if (commandTimeout !== 0 && commandTimeout < 3600)
      out.push(
        finding(
          'COMMAND_TIMEOUT_LARGE_PLAN',
          'settings.storage.commandTimeout',
          `Plan ${plan} manages ${datastores.size} datastores, and a storage command may take only ${commandTimeout} s.`,
        ),
      );
    if (settings['storageProvider.hostRescanRepeatCnt'] < 2)
      out.push(
        finding(
          'HOST_RESCAN_REPEAT',
          'settings.storageProvider.hostRescanRepeatCnt',
          `Plan ${plan} presents ${datastores.size} datastores with only ${settings['storageProvider.hostRescanRepeatCnt']} extra host rescan(s).`,
        ),
      );
  }
  const rescanTimeout = settings['storageProvider.hostRescanTimeoutSec'];
  if (rescanTimeout !== 0 && rescanTimeout < 600) {
    const busy = env.plans.find(
      (p) =>
        (facts.planDatastores.get(p.name)?.size ?? 0) > LARGE.planDatastores ||
        hostsAt(p.recoverySite) > LARGE.siteHosts,
    );
    if (busy)
      out.push(
        finding(
          'HOST_RESCAN_TIMEOUT',
          'settings.storageProvider.hostRescanTimeoutSec',
          `Plan ${busy.name} rescans ${hostsAt(busy.recoverySite)} hosts for ${facts.planDatastores.get(busy.name)?.size ?? 0} datastores, each rescan bounded at ${rescanTimeout} s.`,
        ),
      );
  }

  // Boot limits against the recovery clusters' sizes.
  const hostLimit = limitOrInfinity(settings.defaultMaxBootAndShutdownOpsPerHost);
  env.sites.forEach((site, si) => {
    if (!facts.recoverySites.has(site.name)) return;
    site.clusters.forEach((cluster, ci) => {
      const own = cluster.srmMaxBootShutdownOps !== undefined;
      const clusterLimit = limitOrInfinity(
        own ? cluster.srmMaxBootShutdownOps : settings.defaultMaxBootAndShutdownOpsPerCluster,
      );
      if (clusterLimit === Infinity) return;
      const path = own
        ? `sites[${si}].clusters[${ci}].srmMaxBootShutdownOps`
        : 'settings.defaultMaxBootAndShutdownOpsPerCluster';
      if (clusterLimit < cluster.hosts.length)
        out.push(
          finding(
            'CLUSTER_LIMIT_BELOW_HOSTS',
            path,
            `Cluster ${cluster.name} at ${site.name} boots at most ${clusterLimit} VMs at once on its ${cluster.hosts.length} hosts: ${cluster.hosts.length - clusterLimit} host(s) stay idle while VMs wait.`,
          ),
        );
      else if (clusterLimit < hostLimit && hostLimit !== Infinity)
        out.push(
          finding(
            'CLUSTER_LIMIT_BELOW_HOST_LIMIT',
            path,
            `Cluster ${cluster.name} at ${site.name} allows ${clusterLimit} boots at once, fewer than the ${hostLimit} allowed on each of its hosts.`,
          ),
        );
    });
  });
  if (hostLimit === Infinity && limitOrInfinity(settings.defaultMaxBootAndShutdownOpsPerCluster) === Infinity) {
    const big = env.plans.find((p) => resolvePlanVms(env, p).length > LARGE.planVms);
    if (big)
      out.push(
        finding(
          'BOOT_LIMITS_OFF',
          'settings.defaultMaxBootAndShutdownOpsPerHost',
          `Plan ${big.name} powers on ${resolvePlanVms(env, big).length} VMs with no per-host or per-cluster boot limit.`,
        ),
      );
  }
  return out;
}
