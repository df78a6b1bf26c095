/**
 * SRM's advanced settings that drctl honours, with SRM's names, defaults and minimums.
 * 0 as a timeout or a concurrency limit means "no limit"; `null` for the boot limits means "off".
 */
export interface Settings {
  /** Seconds before a storage adapter command is aborted; +90 s per Live Volume in the run. @default 300 */
  'storage.commandTimeout': number;
  /** Storage commands in flight at once across every run of one engine. @default 5 */
  'storage.maxConcurrentCommandCnt': number;
  /** Extra host rescans after the first. @default 1 */
  'storageProvider.hostRescanRepeatCnt': number;
  /** Bound on each host rescan, seconds. @default 300 */
  'storageProvider.hostRescanTimeoutSec': number;
  /** Bound on matching local to remote stretched devices, seconds. @default 300 */
  'storageProvider.stretchedDevicesMatchTimeout': number;
  /**
   * How recovered VMFS snapshot volumes are resignatured: 0 only the volumes of the plan's
   * datastores, 1 every unresolved VMFS snapshot volume the hosts see, as SRM's value 1 does. @default 0
   */
  'storageProvider.autoResignatureMode': number;
  /** Concurrent power-on/shutdown operations per cluster. @default null (off) */
  defaultMaxBootAndShutdownOpsPerCluster: number | null;
  /** Concurrent power-on/shutdown operations per host. @default null (off) */
  defaultMaxBootAndShutdownOpsPerHost: number | null;
  /** Whether a disaster recovery may be started as a forced recovery (SRM's `recovery.forceRecovery`). @default false */
  'recovery.forceRecovery': boolean;
}

export type SettingName = keyof Settings;

export interface SettingDefinition {
  name: SettingName;
  default: number | null | boolean;
  /** Smallest accepted number; unused for flags. */
  min: number;
  /**
   * Largest accepted value: far past any real deployment, and small enough that virtual time
   * plus this many seconds stays a valid date (a run must never push the clock past `Date`'s range).
   */
  max: number;
  /** Whether "off" (null) is an accepted value. */
  nullable: boolean;
  /** `flag` settings are true or false; the others whole numbers. */
  unit: 'seconds' | 'count' | 'flag';
  description: string;
}

/** A week: no single storage command, rescan or device match is waited on longer. */
export const MAX_SECONDS = 7 * 24 * 3600;
/** Concurrency and repeat counts: thousands of hosts, never millions. */
export const MAX_COUNT = 10_000;

export const SETTING_DEFINITIONS: readonly SettingDefinition[] = [
  {
    name: 'storage.commandTimeout',
    default: 300,
    min: 0,
    max: MAX_SECONDS,
    nullable: false,
    unit: 'seconds',
    description:
      'Every storage adapter command is aborted past this; plus 90 s for each Live Volume managed in the run. 0 = no limit.',
  },
  {
    name: 'storage.maxConcurrentCommandCnt',
    default: 5,
    min: 0,
    max: MAX_COUNT,
    nullable: false,
    unit: 'count',
    description: 'Storage commands in flight at once, across all runs of one engine. 0 = no limit.',
  },
  {
    name: 'storageProvider.hostRescanRepeatCnt',
    default: 1,
    min: 0,
    max: MAX_COUNT,
    nullable: false,
    unit: 'count',
    description: 'Extra host rescans after the first, in test, planned migration and recovery.',
  },
  {
    name: 'storageProvider.hostRescanTimeoutSec',
    default: 300,
    min: 0,
    max: MAX_SECONDS,
    nullable: false,
    unit: 'seconds',
    description: 'Bound on each host rescan. 0 = no limit.',
  },
  {
    name: 'storageProvider.stretchedDevicesMatchTimeout',
    default: 300,
    min: 0,
    max: MAX_SECONDS,
    nullable: false,
    unit: 'seconds',
    description: 'Bound on matching local to remote stretched (Live Volume) devices. 0 = no limit.',
  },
  {
    name: 'storageProvider.autoResignatureMode',
    default: 0,
    min: 0,
    max: 1,
    nullable: false,
    unit: 'count',
    description:
      "0 = resignature only the recovered VMFS volumes of the plan's datastores; 1 = resignature every unresolved VMFS snapshot volume the recovery hosts see, including volumes drctl does not manage.",
  },
  {
    name: 'defaultMaxBootAndShutdownOpsPerCluster',
    default: null,
    min: 0,
    max: MAX_COUNT,
    nullable: true,
    unit: 'count',
    description:
      "Concurrent power-on/shutdown operations per cluster; a cluster's srmMaxBootShutdownOps overrides it. off = unlimited.",
  },
  {
    name: 'defaultMaxBootAndShutdownOpsPerHost',
    default: null,
    min: 0,
    max: MAX_COUNT,
    nullable: true,
    unit: 'count',
    description: 'Concurrent power-on/shutdown operations per host. off = unlimited.',
  },
  {
    name: 'recovery.forceRecovery',
    default: false,
    min: 0,
    max: 1,
    nullable: false,
    unit: 'flag',
    description:
      'Allows forced recovery (disaster recovery skipping every protected-site operation); refused anyway while the protected site answers.',
  },
];

export const SETTING_NAMES: readonly SettingName[] = SETTING_DEFINITIONS.map((d) => d.name);

/** Seconds added to storage.commandTimeout for every Live Volume managed in a run. */
export const LIVE_VOLUME_TIMEOUT_BONUS_SECONDS = 90;

export function defaultSettings(): Settings {
  const out: Record<string, number | null | boolean> = {};
  for (const d of SETTING_DEFINITIONS) out[d.name] = d.default;
  return out as unknown as Settings;
}

export function settingDefinition(name: string): SettingDefinition | undefined {
  return SETTING_DEFINITIONS.find((d) => d.name === name);
}
