import { badRequest, ok, refuse, type Outcome } from '../protocol/outcome.js';
import { ensureRootFolders } from './folder-operations.js';
import type { HbaRecord, ServerRecord } from './records.js';
import type { DsmState } from './state.js';

export interface CreateServerInput {
  ssn: number;
  name: string;
  kind: 'physical' | 'cluster';
  notes?: string;
  folderId?: string;
  operatingSystem?: string;
  alertOnConnectivity?: boolean;
  clusterId?: string;
}

/** Operating systems every simulated SC lists (`ScServerOperatingSystem`), ids `<ssn>.38` onwards. */
export const OPERATING_SYSTEMS = ['VMware ESXi 6.5', 'VMware ESXi 6.7', 'Red Hat Linux 6.x'] as const;
export const FIRST_OPERATING_SYSTEM_INDEX = 38;
export const DEFAULT_OPERATING_SYSTEM = OPERATING_SYSTEMS[0];

export function operatingSystemById(id: string): string | undefined {
  return OPERATING_SYSTEMS[Number(id.split('.')[1]) - FIRST_OPERATING_SYSTEM_INDEX];
}

export function createServer(state: DsmState, input: CreateServerInput): Outcome<ServerRecord> {
  const refused = state.requireConnected(input.ssn);
  if (refused) return refused;
  if (!input.name.trim()) return badRequest('Invalid attribute value format: Name is required.');
  const duplicate = [...state.servers.values()].find(
    (s) => s.ssn === input.ssn && s.name.toLowerCase() === input.name.toLowerCase(),
  );
  if (duplicate) return badRequest(`A server named ${input.name} already exists on Storage Center ${input.ssn}.`);
  ensureRootFolders(state, input.ssn);
  const folderId = input.folderId ?? `${input.ssn}.0`;
  const folder = state.serverFolders.get(folderId);
  if (!folder || folder.ssn !== input.ssn)
    return badRequest(`Server folder ${folderId} was not found on Storage Center ${input.ssn}.`);
  if (input.clusterId) {
    const cluster = state.servers.get(input.clusterId);
    if (!cluster || cluster.kind !== 'cluster' || cluster.ssn !== input.ssn)
      return badRequest(`Server cluster ${input.clusterId} was not found on Storage Center ${input.ssn}.`);
  }
  const index = state.nextIndex(input.ssn, 'server', 1);
  const server: ServerRecord = {
    id: `${input.ssn}.${index}`,
    ssn: input.ssn,
    index,
    name: input.name,
    kind: input.kind,
    notes: input.notes ?? '',
    folderId,
    operatingSystem: input.operatingSystem ?? DEFAULT_OPERATING_SYSTEM,
    // New servers alert on connectivity unless told otherwise (Cinder sends false: commit 0ef396951).
    alertOnConnectivity: input.alertOnConnectivity ?? true,
    up: true,
    ...(input.clusterId ? { clusterId: input.clusterId } : {}),
  };
  state.servers.set(server.id, server);
  return ok(server);
}

export function requireServer(state: DsmState, serverId: string): Outcome<ServerRecord> {
  const server = state.servers.get(serverId);
  return server ? ok(server) : refuse(404, `Server ${serverId} was not found.`);
}

/** POST ScPhysicalServer/{id}/AddHba. HBA names are stored upper-case: DSM cannot find lowercase WWNs. */
export function addHba(
  state: DsmState,
  server: ServerRecord,
  portType: string | undefined,
  name: string | undefined,
): Outcome<HbaRecord> {
  const refused = state.requireConnected(server.ssn);
  if (refused) return refused;
  if (server.kind !== 'physical')
    return badRequest(`HBAs can only be added to a physical server; ${server.name} is not one.`);
  if (portType !== 'Iscsi' && portType !== 'FibreChannel')
    return badRequest('Invalid attribute value format: HbaPortType must be Iscsi or FibreChannel.');
  if (!name?.trim()) return badRequest('Invalid attribute value format: WwnOrIscsiName is required.');
  const upper = name.trim().toUpperCase();
  const taken = [...state.hbas.values()].find((h) => h.ssn === server.ssn && h.name.toUpperCase() === upper);
  if (taken) {
    if (taken.serverId === server.id) return ok(taken);
    return badRequest(
      `HBA ${name} already belongs to server ${state.servers.get(taken.serverId)?.name ?? taken.serverId}.`,
    );
  }
  const hba: HbaRecord = {
    id: `${server.ssn}.${state.nextIndex(server.ssn, 'hba', 3282218601)}`,
    ssn: server.ssn,
    name: upper,
    portType,
    serverId: server.id,
  };
  state.hbas.set(hba.id, hba);
  return ok(hba);
}

/** DELETE ScServer/{id}: `true`, or `false` while volumes are mapped to it. */
export function deleteServer(state: DsmState, server: ServerRecord): Outcome<boolean> {
  const refused = state.requireConnected(server.ssn);
  if (refused) return refused;
  if (server.kind === 'remote-storage-center')
    return badRequest(`${server.name} stands for a remote Storage Center and cannot be deleted.`);
  if (state.mappingsOfServer(server.id).length > 0) return ok(false);
  if (server.kind === 'cluster' && state.serversOfCluster(server.id).length > 0) return ok(false);
  for (const hba of [...state.hbas.values()]) if (hba.serverId === server.id) state.hbas.delete(hba.id);
  state.servers.delete(server.id);
  return ok(true);
}
