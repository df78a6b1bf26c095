import { z } from 'zod';
import { calloutSchema, planCalloutSchema } from './callouts.js';

const name = z.string().min(1).max(200);
/**
 * Every number has a range: a simulated duration of a day at most (a sync, a boot), so virtual
 * time can never be pushed past what a date can hold; counts far past real deployments.
 */
const seconds = z.number().int().min(0).max(86_400);
const count = z.number().int().min(0).max(10_000);
const serialNumber = z
  .number()
  .int()
  .min(0)
  .max(2 ** 53 - 1);

export const hostSchema = z.object({ name }).strict();

export const clusterSchema = z
  .object({
    name,
    hosts: z.array(hostSchema).min(1),
    /** DRS advanced option: overrides defaultMaxBootAndShutdownOpsPerCluster for this cluster. */
    srmMaxBootShutdownOps: count.optional(),
  })
  .strict();

/** A vCenter's vim25 endpoint. Secrets are referenced, never inlined. */
export const vcenterConnectionSchema = z
  .object({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(443),
    username: z.string().min(1),
    /** Environment variable holding the password. */
    passwordEnv: z.string().min(1).optional(),
    /** File holding the password (first line). */
    passwordFile: z.string().min(1).optional(),
    /** PEM CA bundle the vCenter's certificate must chain to. */
    caFile: z.string().optional(),
    /** SHA-256 thumbprint (`AB:CD:…`) the vCenter's certificate must have, as SRM pins it. */
    thumbprint: z
      .string()
      .regex(/^([0-9A-Fa-f]{2}:?){32}$/, { error: 'thumbprint must be 32 hex bytes, e.g. AB:CD:…' })
      .optional(),
    /** Turning TLS verification off is explicit and logged as a warning. @default true */
    verifyTls: z.boolean().default(true),
  })
  .strict();

export const siteSchema = z
  .object({
    name,
    vcenter: z.string().min(1),
    clusters: z.array(clusterSchema).min(1),
    networks: z
      .object({
        production: z.array(name).default([]),
        test: z.array(name).default([]),
      })
      .strict()
      .default({ production: [], test: [] }),
    /** Datastore holding placeholder VMs at this site; SRM needs one per site. */
    placeholderDatastore: name.optional(),
    /** How drctl reaches this site's vCenter in a real run (without --simulate). */
    vcenterConnection: vcenterConnectionSchema.optional(),
  })
  .strict();

export const ADAPTER_KINDS = ['simulated', 'sc-series', 'vsphere-replication'] as const;
export const SNAPSHOT_MODES = [
  'always-active',
  'active-if-replicating-active',
  'always-last-frozen',
  'per-restore-point',
] as const;

export const arrayManagerSchema = z
  .object({
    name,
    site: name,
    adapter: z.enum(ADAPTER_KINDS),
    /** Connection details; for SC Series the DSM Data Collector. Secrets are referenced, never inlined. */
    connection: z
      .object({
        host: z.string().min(1),
        port: z.number().int().min(1).max(65535).default(3033),
        username: z.string().min(1),
        /** Environment variable holding the password. */
        passwordEnv: z.string().min(1).optional(),
        /** File holding the password (first line). */
        passwordFile: z.string().min(1).optional(),
        /** Only these Storage Center serial numbers are used. */
        storageCenters: z.array(serialNumber).optional(),
        /** PEM CA bundle for TLS verification. */
        caFile: z.string().optional(),
        /** Turning TLS verification off is explicit and logged as a warning. @default true */
        verifyTls: z.boolean().default(true),
        /** Where the Data Collector runs: a site name or `third-site`. Checked against best practice. */
        dataCollectorSite: z.string().optional(),
        /** True when this is a Remote Data Collector. */
        remoteDataCollector: z.boolean().default(false),
      })
      .strict()
      .optional(),
    /**
     * SRM selectable snapshot (guide §5.8): one DSM-wide setting of the Data Collector, applied to
     * every replication it manages. Array managers that share a Data Collector must agree.
     * @default always-active
     */
    selectableSnapshot: z.enum(SNAPSHOT_MODES).optional(),
  })
  .strict();

export const REPLICATION_TYPES = ['async', 'sync-high-availability', 'sync-high-consistency'] as const;

export const arraySchema = z
  .object({
    id: name,
    site: name,
    serial: serialNumber.optional(),
    arrayManager: name,
    qosProfile: z.string().optional(),
    /** Whether the SRA account has rights on this array. @default true */
    sraAccountHasRights: z.boolean().default(true),
    /** Automatic restore-point saving on the Data Collector (best practice: off). */
    autoSaveRestorePoints: z.boolean().default(false),
  })
  .strict();

export const arrayPairSchema = z
  .object({
    name,
    arrays: z.tuple([name, name]),
    enabled: z.boolean().default(true),
  })
  .strict();

/**
 * A replicated volume as the storage holds it. drctl never trusts this list for devices: the
 * workflows discover devices through the storage port; this is what the simulators serve.
 */
export const volumeSchema = z
  .object({
    id: name,
    /** Array holding the replication source (the writable side). */
    sourceArray: name,
    targetArray: name,
    replication: z.enum(REPLICATION_TYPES).default('async'),
    replicateActiveSnapshot: z.boolean().default(false),
    consistencyGroup: name.optional(),
    liveVolume: z
      .object({
        autoFailover: z.boolean().default(false),
        autoRoleSwap: z.boolean().default(false),
        uniformMapping: z.boolean().default(false),
        /**
         * The Live Volume manages a replication to a third Storage Center (DSM "managed
         * replication"); SRM does not support it, DSM's Activate Disaster Recovery recovers it (§3.3, §5.4).
         */
        managedReplication: z.boolean().default(false),
      })
      .strict()
      .optional(),
    qosProfile: z.string().optional(),
    targetQosProfile: z.string().optional(),
    sizeGb: z.number().positive().max(1_048_576).default(500),
    /** Simulation: seconds a sync of this volume takes. @default 30 */
    syncSeconds: seconds.default(30),
    /** When the last frozen snapshot finished replicating (ISO time); checked for multi-volume consistency. */
    lastReplicatedAt: z.string().optional(),
  })
  .strict();

export const datastoreSchema = z
  .object({
    name,
    site: name,
    devices: z.array(name).min(1),
  })
  .strict();

export const vmSchema = z
  .object({
    name,
    site: name,
    cluster: name,
    host: name,
    datastores: z.array(name).min(1),
    /** Simulation: seconds from power-on until the guest is booted. @default 60 */
    bootSeconds: seconds.default(60),
    /** Simulation: seconds from power-on until VMware Tools sends a heartbeat. @default 90 */
    toolsSeconds: seconds.default(90),
    /** Simulation: seconds a guest shutdown takes. @default 30 */
    shutdownSeconds: seconds.default(30),
    /** Starts powered on. @default true */
    poweredOn: z.boolean().default(true),
    /** Application this VM belongs to; used by the multi-volume consistency check. */
    application: z.string().optional(),
  })
  .strict();

export const protectionGroupSchema = z.discriminatedUnion('type', [
  z
    .object({
      name,
      type: z.literal('array'),
      arrayPair: name,
      /** Datastores (groups): every VM on them is protected. */
      datastores: z.array(name).min(1),
    })
    .strict(),
  z
    .object({
      name,
      type: z.literal('vsphere-replication'),
      arrayManager: name.optional(),
      vms: z.array(name).min(1),
      /** Recovery point objective, minutes. @default 15 */
      rpoMinutes: z.number().int().min(5).max(1440).default(15),
    })
    .strict(),
]);

export const vmRecoverySchema = z
  .object({
    vm: name,
    /** @default 3 */
    priority: z
      .number({ error: 'priority must be a whole number from 1 (first) to 5 (last)' })
      .int({ error: 'priority must be a whole number from 1 (first) to 5 (last)' })
      .min(1, { error: 'priority must be from 1 (first) to 5 (last)' })
      .max(5, { error: 'priority must be from 1 (first) to 5 (last)' })
      .transform((p) => p as 1 | 2 | 3 | 4 | 5)
      .default(3),
    /** VMs of the same priority that must be recovered first. */
    dependsOn: z.array(name).default([]),
    startupAction: z.enum(['power-on', 'do-not-power-on']).default('power-on'),
    /** Seconds to wait for the VMware Tools heartbeat; 0 = don't wait. SRM: 0–3599. @default 300 */
    toolsWaitSeconds: z.number().int().min(0).max(3599).default(300),
    /** Seconds to wait after power-on (and Tools) before the VM counts as recovered. @default 0 */
    delayAfterPowerOnSeconds: z.number().int().min(0).max(3599).default(0),
    shutdownAction: z.enum(['guest-shutdown', 'power-off']).default('guest-shutdown'),
    /** Seconds a guest shutdown may take before the VM is powered off. @default 300 */
    shutdownTimeoutSeconds: z.number().int().min(0).max(3599).default(300),
    prePowerOn: z.array(calloutSchema).default([]),
    postPowerOn: z.array(calloutSchema).default([]),
    /** Recovery-site host for this VM; by default placeholders are spread over the mapped cluster. */
    recoveryHost: name.optional(),
  })
  .strict();

export const planSchema = z
  .object({
    name,
    description: z.string().optional(),
    protectedSite: name,
    recoverySite: name,
    protectionGroups: z.array(name).min(1),
    /** Per-VM recovery settings; protected VMs not listed get the defaults. */
    vms: z.array(vmRecoverySchema).default([]),
    callouts: z.array(planCalloutSchema).default([]),
    /** Non-critical VMs at the recovery site suspended during test and recovery. */
    suspendVms: z.array(name).default([]),
    /** Production network → test network at the recovery site. */
    testNetworks: z.record(z.string(), z.string()).default({}),
    /**
     * Deprecated: SRM selectable snapshot is a DSM-wide setting (§5.8), now
     * `arrayManagers[].selectableSnapshot`. Still read: moved onto the plan's array managers when
     * they say nothing, refused when they (or another plan on the same Data Collector) disagree.
     */
    snapshotMode: z.enum(SNAPSHOT_MODES).optional(),
    /** With per-restore-point: which snapshot (name) to use per device. */
    restorePoints: z.record(z.string(), z.string()).default({}),
  })
  .strict();

export const resourceMappingSchema = z.object({ from: name, to: name }).strict();

export const environmentSchema = z
  .object({
    /** Format version of this file. */
    version: z.literal(1).default(1),
    name,
    description: z.string().optional(),
    /** Seed for the simulated environment. @default 1 */
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1)
      .default(1),
    /** SRM advanced settings by SRM name. */
    settings: z.record(z.string(), z.union([z.number(), z.boolean(), z.string(), z.null()])).default({}),
    sites: z.array(siteSchema).min(1),
    /** Cluster at one site ↔ cluster at the other, both directions. */
    resourceMappings: z.array(resourceMappingSchema).default([]),
    arrayManagers: z.array(arrayManagerSchema).default([]),
    arrays: z.array(arraySchema).default([]),
    arrayPairs: z.array(arrayPairSchema).default([]),
    volumes: z.array(volumeSchema).default([]),
    datastores: z.array(datastoreSchema).default([]),
    vms: z.array(vmSchema).default([]),
    protectionGroups: z.array(protectionGroupSchema).default([]),
    plans: z.array(planSchema).default([]),
  })
  .strict();

export type Host = z.infer<typeof hostSchema>;
export type Cluster = z.infer<typeof clusterSchema>;
export type Site = z.infer<typeof siteSchema>;
export type VcenterConnectionConfig = z.infer<typeof vcenterConnectionSchema>;
export type ArrayManager = z.infer<typeof arrayManagerSchema>;
export type StorageArray = z.infer<typeof arraySchema>;
export type ArrayPair = z.infer<typeof arrayPairSchema>;
export type Volume = z.infer<typeof volumeSchema>;
export type Datastore = z.infer<typeof datastoreSchema>;
export type Vm = z.infer<typeof vmSchema>;
export type ProtectionGroup = z.infer<typeof protectionGroupSchema>;
export type VmRecovery = z.infer<typeof vmRecoverySchema>;
export type RecoveryPlan = z.infer<typeof planSchema>;
export type Environment = z.infer<typeof environmentSchema>;
export type EnvironmentInput = z.input<typeof environmentSchema>;
export type SnapshotMode = (typeof SNAPSHOT_MODES)[number];
export type ReplicationType = (typeof REPLICATION_TYPES)[number];
export type AdapterKind = (typeof ADAPTER_KINDS)[number];
