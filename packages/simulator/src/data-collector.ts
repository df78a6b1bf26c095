import type { Environment } from '@drctl/domain';

/**
 * The Data Collector an array is managed through, when a site-down rehearsal took it down: the
 * array's manager names where its Data Collector runs (`connection.dataCollectorSite`). A
 * collector at `third-site`, or one whose site the file does not give, is never lost with a site,
 * the same rule the SC Series path applies to the DSM simulator.
 */
export function lostDataCollector(
  env: Environment,
  arrayId: string,
  isSiteDown: (site: string) => boolean,
): { manager: string; host: string; site: string } | undefined {
  const managerName = env.arrays.find((a) => a.id === arrayId)?.arrayManager;
  const manager = env.arrayManagers.find((m) => m.name === managerName);
  const site = manager?.connection?.dataCollectorSite;
  if (!manager || site === undefined || !isSiteDown(site)) return undefined;
  return { manager: manager.name, host: `${manager.connection!.host}:${manager.connection!.port}`, site };
}
