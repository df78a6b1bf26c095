import { cpSync, existsSync, mkdirSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VolumeRecord } from '../model/records.js';
import type { DsmState } from '../model/state.js';

export interface SanExportOptions {
  /**
   * The SAN's root directory. `<dir>/<site>/` holds one entry per volume presented to a host or
   * cluster of that site — what the lab's vCenter of the site takes as its `-san-dir` — and
   * `<dir>/data/` the volumes' data.
   */
  dir: string;
  /** The site of each host and cluster, by the server name the Storage Centers know it by. */
  serverSites: ReadonlyMap<string, string>;
}

interface Presented {
  label: string;
  data: string;
  naa: string;
}

/**
 * The lab's SAN: makes what the simulated Storage Centers present to hosts visible to the lab's
 * vCenters (tools/vcsim, whose `-san-dir` turns each directory into a VMFS LUN). Every volume
 * mapped to a server of a site is a symbolic link `<site>/<label>` to the volume's data, with its
 * device id in `<site>/<label>.naa`; unmapping removes the link, so the LUN disappears from that
 * site's hosts. The label is the VMFS label written on the volume — its lineage's original name
 * (a replication destination and a view volume carry the label of the volume they copy).
 *
 * Data: a volume and its replicas share one directory, `data/<label>` (the lab's replication
 * is always up to date, so a failover loses nothing and needs no copy); a view volume (a test
 * failover's snapshot) gets its own copy, taken when it is first presented and deleted with it,
 * so a test never writes into production.
 */
export class SanExport {
  constructor(private readonly options: SanExportOptions) {
    mkdirSync(join(options.dir, 'data'), { recursive: true });
  }

  /** Brings the directories in line with the Storage Centers' mappings; cheap enough after every change. */
  sync(state: DsmState): void {
    const wanted = new Map<string, Map<string, Presented>>();
    for (const site of new Set(this.options.serverSites.values())) wanted.set(site, new Map());
    const serverSite = new Map([...this.options.serverSites].map(([name, site]) => [name.toLowerCase(), site]));
    for (const profile of state.mappingProfiles.values()) {
      const server = state.servers.get(profile.serverId);
      const volume = state.volumes.get(profile.volumeId);
      if (!server || !volume || server.kind === 'remote-storage-center' || volume.inRecycleBin) continue;
      const site = serverSite.get(server.name.toLowerCase());
      const luns = site === undefined ? undefined : wanted.get(site);
      if (!luns) continue;
      const label = labelOf(state, volume);
      if (luns.has(label)) continue;
      luns.set(label, { label, data: this.dataOf(volume, label), naa: volume.deviceId });
    }
    for (const [site, luns] of wanted) this.syncSite(site, luns);
    this.dropDeletedViews(state);
  }

  private dataOf(volume: VolumeRecord, label: string): string {
    const shared = join(this.options.dir, 'data', label);
    mkdirSync(shared, { recursive: true });
    if (!volume.viewOfReplayId) return shared;
    const own = join(this.options.dir, 'data', `view-${volume.id}`);
    if (!existsSync(own)) cpSync(shared, own, { recursive: true });
    return own;
  }

  private syncSite(site: string, luns: Map<string, Presented>): void {
    const dir = join(this.options.dir, site);
    mkdirSync(dir, { recursive: true });
    for (const entry of readdirSync(dir)) {
      if (entry.endsWith('.naa')) {
        if (!luns.has(entry.slice(0, -4))) rmSync(join(dir, entry), { force: true });
      } else if (luns.get(entry)?.data !== linkTarget(join(dir, entry))) {
        rmSync(join(dir, entry), { force: true });
      }
    }
    for (const lun of luns.values()) {
      const link = join(dir, lun.label);
      if (linkTarget(link) !== lun.data) symlinkSync(lun.data, link, 'dir');
      writeFileSync(join(dir, `${lun.label}.naa`), `${lun.naa}\n`);
    }
  }

  private dropDeletedViews(state: DsmState): void {
    const data = join(this.options.dir, 'data');
    for (const entry of readdirSync(data)) {
      if (entry.startsWith('view-') && !state.volumes.get(entry.slice('view-'.length)))
        rmSync(join(data, entry), { recursive: true, force: true });
    }
  }
}

function linkTarget(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

/**
 * The VMFS label on a volume: a view carries its snapshot's volume's, a replication destination
 * or Live Volume secondary its source's, anything else its own name.
 */
function labelOf(state: DsmState, volume: VolumeRecord, seen = new Set<string>()): string {
  if (seen.has(volume.id)) return volume.name;
  seen.add(volume.id);
  const replay = volume.viewOfReplayId ? state.replays.get(volume.viewOfReplayId) : undefined;
  const parentId =
    replay?.volumeId ??
    state.replicationsTo(volume.id).find((r) => !r.liveVolumeId)?.sourceVolumeId ??
    secondaryOf(state, volume.id);
  const parent = parentId === undefined ? undefined : state.volumes.get(parentId);
  return parent ? labelOf(state, parent, seen) : volume.name;
}

function secondaryOf(state: DsmState, volumeId: string): string | undefined {
  const liveVolume = state.liveVolumeOf(volumeId);
  return liveVolume && liveVolume.secondaryVolumeId === volumeId ? liveVolume.primaryVolumeId : undefined;
}
