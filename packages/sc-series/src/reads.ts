import type { DsmApi, QosNode, ReplicationProgress } from './dsm/api.js';
import type { MappingProfile, Replay, Volume } from './dsm/objects.js';
import { ssnOfId } from './dsm/wire.js';

/**
 * What one storage command reads from the arrays, read once and shared by its devices. A
 * command with several devices lists each object type once per Storage Center (volumes,
 * replays, mapping profiles, servers, QoS nodes) instead of asking per device; a command with
 * one device asks for that device's objects only, which is less to transfer than a whole list.
 *
 * The answers are the arrays as they were when first read in this command. Each device works on
 * objects of its own, so that is what its first check before a write needs; a check repeated
 * after an answer was lost mid-call reads the array again through `DsmApi` (see `cachedFirst`).
 */
export class CommandReads {
  private readonly volumeLists = new Map<number, Promise<Volume[]>>();
  private readonly replayLists = new Map<number, Promise<Map<string, Replay[]>>>();
  private readonly mappingLists = new Map<number, Promise<Map<string, MappingProfile[]>>>();
  private readonly servers = new Map<number, Promise<Map<string, string>>>();
  private readonly qos = new Map<number, Promise<QosNode[]>>();
  private readonly progressReadings = new Map<
    number,
    { stamp: number; value: Promise<Map<string, ReplicationProgress>> }
  >();
  private stamps = 0;
  private readonly shared = new Map<string, Promise<unknown>>();

  constructor(
    private readonly api: DsmApi,
    /** List per Storage Center (several devices) rather than per object (one device). */
    readonly bulk: boolean,
    private readonly signal: AbortSignal,
  ) {}

  async volumesNamed(serial: number, name: string): Promise<Volume[]> {
    if (!this.bulk) return this.api.volumesNamed(serial, name, this.signal);
    return (await this.volumesOn(serial)).filter((v) => v.name === name);
  }

  async volume(id: string): Promise<Volume | undefined> {
    if (!this.bulk) return this.api.volume(id, this.signal);
    return (await this.volumesOn(ssnOfId(id))).find((v) => v.id === id);
  }

  async replays(volumeId: string): Promise<Replay[]> {
    if (!this.bulk) return this.api.replays(volumeId, this.signal);
    const serial = ssnOfId(volumeId);
    const byVolume = await memo(this.replayLists, serial, async () =>
      groupBy(await this.api.replaysOn(serial, this.signal), (r) => r.volumeId),
    );
    return byVolume.get(volumeId) ?? [];
  }

  async mappingProfiles(volumeId: string): Promise<MappingProfile[]> {
    if (!this.bulk) return this.api.mappingProfiles(volumeId, this.signal);
    const serial = ssnOfId(volumeId);
    const byVolume = await memo(this.mappingLists, serial, async () =>
      groupBy(await this.api.mappingProfilesOn(serial, this.signal), (p) => p.volumeId),
    );
    return byVolume.get(volumeId) ?? [];
  }

  /** Server objects by lower-cased name: one list per Storage Center for every device and host. */
  serversByName(serial: number): Promise<Map<string, string>> {
    return memo(this.servers, serial, () => this.api.serversByName(serial, this.signal));
  }

  qosNodes(serial: number): Promise<QosNode[]> {
    return memo(this.qos, serial, () => this.api.qosNodes(serial, this.signal));
  }

  /** Stamp of the latest reading started: a reading after it has a larger stamp. */
  stamp(): number {
    return this.stamps;
  }

  /**
   * A replication's progress from a reading started after `after` (a stamp). Devices waiting on
   * their syncs side by side share one list of the Storage Center's replications per round; a
   * device never takes a reading started before its own replay was taken or before its last poll.
   */
  async progress(replicationId: string, after: number): Promise<{ stamp: number; progress: ReplicationProgress }> {
    if (!this.bulk) {
      const stamp = ++this.stamps;
      return { stamp, progress: await this.api.replicationProgress(replicationId, this.signal) };
    }
    const serial = ssnOfId(replicationId);
    let reading = this.progressReadings.get(serial);
    if (!reading || reading.stamp <= after) {
      const current = { stamp: ++this.stamps, value: this.api.replicationProgressOn(serial, this.signal) };
      current.value.catch(() => {
        if (this.progressReadings.get(serial) === current) this.progressReadings.delete(serial);
      });
      this.progressReadings.set(serial, current);
      reading = current;
    }
    const listed = (await reading.value).get(replicationId);
    // Not in the list (DSM lists only some kinds): this one replication is read on its own.
    return {
      stamp: reading.stamp,
      progress: listed ?? (await this.api.replicationProgress(replicationId, this.signal)),
    };
  }

  /** Work done once per command for all the devices that need it (a consistency group's snapshot). */
  once<T>(key: string, load: () => Promise<T>): Promise<T> {
    let value = this.shared.get(key) as Promise<T> | undefined;
    if (!value) {
      value = load();
      this.shared.set(key, value);
    }
    return value;
  }

  private volumesOn(serial: number): Promise<Volume[]> {
    return memo(this.volumeLists, serial, () => this.api.volumesOn(serial, this.signal));
  }
}

function memo<T>(cache: Map<number, Promise<T>>, key: number, load: () => Promise<T>): Promise<T> {
  let value = cache.get(key);
  if (!value) {
    value = load();
    // A failed read is not kept: the next device asks again.
    value.catch(() => cache.delete(key));
    cache.set(key, value);
  }
  return value;
}

function groupBy<T>(items: T[], keyOf: (item: T) => string | undefined): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    if (key === undefined) continue;
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
