import { arrayBasedManagers, type EnvironmentFacts } from './facts.js';
import { finding, type Finding } from './finding.js';

/**
 * §3 and §4.1: where the DSM Data Collector runs. Applies to every array-based manager, whatever
 * its adapter kind: the placement is a property of the deployment, not of drctl's adapter.
 */
export function dataCollectorRules(facts: EnvironmentFacts): Finding[] {
  const { env, liveVolumes, recoverySites, protectedSites } = facts;
  const out: Finding[] = [];
  const managers = arrayBasedManagers(env);
  for (const { manager, index } of managers) {
    const c = manager.connection;
    if (!c) continue;
    const at = `arrayManagers[${index}].connection`;
    if (liveVolumes.length > 0) {
      if (c.dataCollectorSite !== undefined && c.dataCollectorSite !== 'third-site')
        out.push(
          finding(
            'DC_NOT_THIRD_SITE',
            `${at}.dataCollectorSite`,
            `${liveVolumes.length} protected Live Volume(s) need one Data Collector at a third site, but ${manager.name}'s runs at ${c.dataCollectorSite}; an outage there stops recovery.`,
          ),
        );
      if (c.remoteDataCollector)
        out.push(
          finding(
            'REMOTE_DC_WITH_LIVE_VOLUME',
            `${at}.remoteDataCollector`,
            `${manager.name} is a Remote Data Collector, which SRM does not support with Live Volume stretched storage.`,
          ),
        );
    } else if (
      c.dataCollectorSite !== undefined &&
      protectedSites.has(c.dataCollectorSite) &&
      !recoverySites.has(c.dataCollectorSite)
    ) {
      out.push(
        finding(
          'DC_AT_PROTECTED_SITE',
          `${at}.dataCollectorSite`,
          `${manager.name}'s Data Collector runs at the protected site ${c.dataCollectorSite}; a disaster there takes it down with the VMs it must recover.`,
        ),
      );
    }
  }

  // §3.2 / §4.1: sites that protect VMs in both directions, without Live Volume, need a Data
  // Collector at each site: a primary and a Remote Data Collector.
  if (liveVolumes.length === 0 && managers.length > 0) {
    const directions = new Set(env.plans.map((p) => `${p.protectedSite}\u0000${p.recoverySite}`));
    const dual = env.plans.find(
      (p) => p.protectedSite < p.recoverySite && directions.has(`${p.recoverySite}\u0000${p.protectedSite}`),
    );
    if (dual && !managers.some(({ manager }) => manager.connection?.remoteDataCollector)) {
      const first = managers[0]!;
      out.push(
        finding(
          'DUAL_SITE_NO_REMOTE_DC',
          first.manager.connection ? `arrayManagers[${first.index}].connection.remoteDataCollector` : `arrayManagers`,
          `Sites ${dual.protectedSite} and ${dual.recoverySite} protect VMs for each other, but no array manager is a Remote Data Collector: one site's outage takes the only Data Collector with it.`,
        ),
      );
    }
  }
  return out;
}
