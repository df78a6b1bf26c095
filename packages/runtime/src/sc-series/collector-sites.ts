import { createServer, type Server } from 'node:net';
import type { ArrayManager } from '@drctl/domain';

/** Where one array manager's Data Collector runs, and whether a site-down rehearsal took it down. */
export interface CollectorPlacement {
  manager: string;
  /** `host:port` of the Data Collector the manager is configured with. */
  collector: string;
  /** The site it runs at (`dataCollectorSite`), undefined when the file does not say. */
  site: string | undefined;
  remote: boolean;
  down: boolean;
}

/**
 * A site-down rehearsal takes down everything at that site, the DSM Data Collector included
 * (guide §4.1: the Data Collector processes every SRA call). Each array manager names its Data
 * Collector (`connection.host`) and where it runs (`connection.dataCollectorSite`); a manager
 * whose collector runs at a lost site cannot reach any array, even arrays at the surviving site,
 * while a manager pointed at a Remote Data Collector at the surviving site (§4.1, §6.1
 * "Multiple Data Collectors") still can. A collector at `third-site`, or one whose site is not
 * given, is never taken down by a site-down rehearsal.
 */
export function collectorPlacements(
  managers: readonly ArrayManager[],
  sitesDown: readonly string[],
): CollectorPlacement[] {
  return managers.map((m) => {
    const c = m.connection;
    const site = c?.dataCollectorSite;
    return {
      manager: m.name,
      collector: c ? `${c.host}:${c.port}` : '(simulated)',
      site,
      remote: c?.remoteDataCollector ?? false,
      down: site !== undefined && sitesDown.includes(site),
    };
  });
}

/**
 * Stands in for a Data Collector whose site is lost: every connection is dropped at once, as by
 * a host that is gone. (A closed port would do as well, but it may be handed to another server
 * started meanwhile; this one stays ours until closed.)
 */
export interface LostCollector {
  host: string;
  port: number;
  close(): Promise<void>;
}

export async function startLostCollector(): Promise<LostCollector> {
  const server: Server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('lost Data Collector stand-in has no port');
  return {
    host: '127.0.0.1',
    port: address.port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
