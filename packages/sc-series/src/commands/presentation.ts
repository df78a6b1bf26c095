import { DeviceFailure, cachedFirst, performOnce, type Core } from '../core.js';
import { DsmHttpError } from '../http/errors.js';

/**
 * Presenting volumes to ESXi hosts. A host is an SC server object of the same name (case-insensitive)
 * on the Storage Center that holds the volume; the adapter never creates servers.
 */
export async function presentToHosts(
  core: Core,
  serial: number,
  volumeId: string,
  hosts: string[] | undefined,
  signal: AbortSignal,
  /** How one server gets the volume; MapToServer unless the volume needs another call (a Live Volume secondary). */
  map: (serverId: string) => Promise<void> = (serverId) => core.api.mapToServer(volumeId, serverId, signal),
): Promise<{ mapped: number; warnings: string[] }> {
  const warnings: string[] = [];
  if (!hosts || hosts.length === 0) {
    warnings.push('No recovery hosts were given: the volume is not presented to any host.');
    return { mapped: 0, warnings };
  }
  // One read of the array's servers and of the volume's mappings serves every host.
  const byName = await core.reads.serversByName(serial);
  const servers: string[] = [];
  for (const host of hosts) {
    const server = byName.get(host.toLowerCase());
    if (server) servers.push(server);
    else
      warnings.push(
        `Host ${host} has no server object on Storage Center ${serial}; the volume is not presented to it.`,
      );
  }
  if (servers.length === 0) {
    throw new DeviceFailure(
      'SC_NO_SERVER',
      `None of the hosts (${hosts.join(', ')}) is defined as a server on Storage Center ${serial}.`,
      `Define the ESXi hosts as servers on Storage Center ${serial}, named as in vCenter.`,
    );
  }
  const mappedAtStart = new Set((await core.reads.mappingProfiles(volumeId)).map((p) => p.serverId));
  let mapped = 0;
  for (const server of servers) {
    // The first check uses the read above; after an answer lost mid-call the array is read again.
    let checked = false;
    const isMapped = async () => {
      if (!checked) {
        checked = true;
        return mappedAtStart.has(server) ? true : undefined;
      }
      return (await core.api.mappingProfiles(volumeId, signal)).some((p) => p.serverId === server) ? true : undefined;
    };
    try {
      const { already } = await performOnce(
        isMapped,
        async () => {
          await map(server);
          return true;
        },
        core.logger,
        `map ${volumeId} to ${server}`,
      );
      if (!already) mapped++;
    } catch (error) {
      // Mapped through a cluster object that holds the host: presented already.
      if (!(error instanceof DsmHttpError && error.status === 400 && /already mapped/i.test(error.resultText)))
        throw error;
    }
  }
  return { mapped, warnings };
}

/**
 * Removes a volume's mappings: only those to the given hosts' servers when hosts are named,
 * otherwise all of them. Returns how many were removed (0 when already unpresented).
 */
export async function unpresent(
  core: Core,
  serial: number,
  volumeId: string,
  hosts: string[] | undefined,
  signal: AbortSignal,
): Promise<number> {
  const profiles = await core.reads.mappingProfiles(volumeId);
  if (profiles.length === 0) return 0;
  if (!hosts || hosts.length === 0) {
    await performOnce(
      // The read above is the first check: mappings exist; after a lost answer the array is read again.
      cachedFirst(
        async () => undefined,
        async () => ((await core.api.mappingProfiles(volumeId, signal)).length === 0 ? true : undefined),
      ),
      async () => {
        await core.api.unmapAll(volumeId, signal);
        return true;
      },
      core.logger,
      `unmap ${volumeId}`,
    );
    return profiles.length;
  }
  const byName = await core.reads.serversByName(serial);
  const servers = new Set<string>();
  for (const host of hosts) {
    const server = byName.get(host.toLowerCase());
    if (server) servers.add(server);
  }
  let removed = 0;
  for (const profile of profiles.filter((p) => servers.has(p.serverId))) {
    await performOnce(
      cachedFirst(
        async () => undefined,
        async () =>
          (await core.api.mappingProfiles(volumeId, signal)).some((p) => p.id === profile.id) ? undefined : true,
      ),
      async () => {
        await core.api.deleteMappingProfile(profile.id, signal);
        return true;
      },
      core.logger,
      `delete mapping ${profile.id}`,
    );
    removed++;
  }
  return removed;
}
