import type { Clock, ReplicationType } from '@drctl/domain';
import type { Logger } from 'pino';
import { DsmApi } from './dsm/api.js';
import { DsmClient } from './http/dsm-client.js';
import { adapterLogger } from './logging.js';
import { Topology } from './topology.js';

/** What one Data Collector manages, as `drctl discover` needs it. */
export interface DsmInventory {
  storageCenters: Array<{ serial: number; name: string }>;
  /** Replicated volumes and Live Volumes, named as the adapter names devices. */
  devices: Array<{
    device: string;
    kind: 'replication' | 'live-volume';
    sourceSerial: number;
    destinationSerial: number;
    replicationType: ReplicationType;
    replicateActiveSnapshot: boolean;
    liveVolume?: { autoFailover: boolean; autoRoleSwap: boolean };
    /** NAA ids (`naa.<deviceId>`) of the source and destination volumes, as the hosts see them. */
    naa: { source?: string; destination?: string };
  }>;
}

export interface DsmInventoryOptions {
  host: string;
  /** @default 3033 */
  port?: number;
  username: string;
  password: string;
  caPem?: string;
  /** @default true */
  verifyTls?: boolean;
  /** @default '4.0' */
  apiVersion?: string;
  clock: Clock;
  logger: Logger;
}

/**
 * Reads a Data Collector's Storage Centers, replications and Live Volumes, with each volume's
 * device id: list calls per Storage Center, never one per volume.
 */
export async function readDsmInventory(options: DsmInventoryOptions, signal: AbortSignal): Promise<DsmInventory> {
  const port = options.port ?? 3033;
  const client = new DsmClient({
    host: options.host,
    port,
    username: options.username,
    password: options.password,
    apiVersion: options.apiVersion ?? '4.0',
    ...(options.caPem ? { caPem: options.caPem } : {}),
    verifyTls: options.verifyTls ?? true,
    clock: options.clock,
    logger: adapterLogger(options.logger, { component: 'sc-series-discover', dsm: `${options.host}:${port}` }),
    requestTimeoutMs: 30_000,
    asyncPollIntervalMs: 1000,
    readAttempts: 3,
    retryBaseDelayMs: 1000,
  });
  try {
    const api = new DsmApi(client);
    const centers = await api.storageCenters(signal);
    const serials = centers.map((c) => c.serial);
    const topology = await Topology.load(api, serials, signal);
    const deviceIds = new Map<string, string>();
    for (const serial of serials)
      for (const v of await api.volumesOn(serial, signal)) if (v.deviceId) deviceIds.set(v.id, v.deviceId);
    const naaOf = (id: string | undefined) => {
      const deviceId = id === undefined ? undefined : deviceIds.get(id);
      return deviceId ? `naa.${deviceId.toLowerCase()}` : undefined;
    };
    return {
      storageCenters: centers.map((c) => ({ serial: c.serial, name: c.name })),
      devices: topology.onSerials(serials).map((p) => {
        const source = naaOf(p.sourceVolume?.id);
        const destination = naaOf(p.destinationVolume?.id);
        return {
          device: p.device,
          kind: p.kind,
          sourceSerial: p.sourceSerial,
          destinationSerial: p.destinationSerial,
          replicationType: p.replicationType,
          replicateActiveSnapshot: p.replicateActiveSnapshot,
          ...(p.liveVolume
            ? {
                liveVolume: {
                  autoFailover: p.liveVolume.failoverAutomaticallyEnabled,
                  autoRoleSwap: p.liveVolume.swapRolesAutomaticallyEnabled,
                },
              }
            : {}),
          naa: { ...(source ? { source } : {}), ...(destination ? { destination } : {}) },
        };
      }),
    };
  } finally {
    await client.close();
  }
}
