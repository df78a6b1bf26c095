import type { DsmSeed } from '@drctl/dsm-simulator';

/** The benchmarks' Data Collector: a protected array and the recovery one the commands go to. */
export const PROTECTED_SERIAL = 64702;
export const RECOVERY_SERIAL = 65495;
export const RECOVERY_HOSTS = ['esx-b1', 'esx-b2'];

export interface BenchDsmSeedOptions {
  devices: number;
  /** Names the volumes (`<prefix>-001`…) and the QoS node (`<prefix>-qos`). */
  prefix: string;
  /** Hosts of the protected cluster. */
  protectedHosts: string[];
  /** Simulated seconds a volume's replication transfer takes (the simulator's default when absent). */
  transferSeconds?: number;
  replicateActiveReplay?: boolean;
}

/** `devices` volumes replicating from the protected array to the recovery one, mapped to cluster-a. */
export function benchDsmSeed(options: BenchDsmSeedOptions): DsmSeed {
  const { devices, prefix, protectedHosts, transferSeconds, replicateActiveReplay } = options;
  const volumes = Array.from({ length: devices }, (_, i) => `${prefix}-${String(i + 1).padStart(3, '0')}`);
  const qosNode = `${prefix}-qos`;
  const cluster = (serial: number, name: string, hosts: string[]) => [
    { storageCenter: serial, name, kind: 'cluster' as const },
    ...hosts.map((host) => ({
      storageCenter: serial,
      name: host,
      cluster: name,
      hbas: [{ name: `iqn.1998-01.com.vmware:${host}` }],
    })),
  ];
  return {
    storageCenters: [
      { serial: PROTECTED_SERIAL, name: 'SC A' },
      { serial: RECOVERY_SERIAL, name: 'SC B' },
    ],
    servers: [
      ...cluster(PROTECTED_SERIAL, 'cluster-a', protectedHosts),
      ...cluster(RECOVERY_SERIAL, 'cluster-b', RECOVERY_HOSTS),
    ],
    qosNodes: [
      { storageCenter: PROTECTED_SERIAL, name: qosNode },
      { storageCenter: RECOVERY_SERIAL, name: qosNode },
    ],
    volumes: volumes.map((name) => ({
      storageCenter: PROTECTED_SERIAL,
      name,
      sizeGb: 100,
      mappedTo: ['cluster-a'],
      ...(transferSeconds !== undefined ? { transferSeconds } : {}),
      replays: [{ description: 'hourly', minutesAgo: 60 }],
    })),
    replications: volumes.map((name) => ({
      storageCenter: PROTECTED_SERIAL,
      sourceVolume: name,
      destinationStorageCenter: RECOVERY_SERIAL,
      qosNode,
      ...(replicateActiveReplay !== undefined ? { replicateActiveReplay } : {}),
    })),
  };
}
