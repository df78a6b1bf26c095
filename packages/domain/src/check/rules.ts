/**
 * The catalogue of `drctl check`: every rule drctl knows from Dell's "SC Series Best Practices
 * with VMware Site Recovery Manager" (cited by §) and from SRM's own behaviour. A finding takes
 * its severity, source and fix from here, so the catalogue, the docs and the findings agree.
 *
 * Severities: `error` — SRM cannot protect or recover this as configured; `warning` — a risk the
 * guide tells you to remove; `info` — advice worth reading before the worst day.
 */
export type Severity = 'error' | 'warning' | 'info';

/** Where a rule's facts come from: the environment file, or what the endpoints report (`--live`). */
export type CheckScope = 'static' | 'live';

/** One rule of the catalogue. */
export interface CheckRule {
  /** Stable code, e.g. `LV_AUTO_FAILOVER`. */
  code: string;
  severity: Severity;
  /** The guide's section (`§4.1`) or the SRM behaviour the rule comes from. */
  source: string;
  /** What the rule finds, in a few words. */
  title: string;
  /** What to change. */
  fix: string;
  /** `live`: only `--live` can find it (a difference between the arrays and the file). */
  scope: CheckScope;
  /** A static rule that `--live` also applies to what the arrays report. */
  alsoLive: boolean;
}

const rule = (
  code: string,
  severity: Severity,
  source: string,
  title: string,
  fix: string,
  scope: CheckScope = 'static',
): CheckRule => ({ code, severity, source, title, fix, scope, alsoLive: LIVE_TOO.has(code) });

/** Volume rules whose facts the storage port's device discovery also reports. */
const LIVE_TOO = new Set([
  'QOS_MISMATCH',
  'LV_SYNC_HIGH_CONSISTENCY',
  'LV_AUTO_FAILOVER',
  'LV_AUTO_ROLE_SWAP',
  'LV_UNIFORM_MAPPING',
  'LV_CONSISTENCY_GROUP',
  'LV_MANAGED_REPLICATION',
  'INCONSISTENT_REPLICATION_POINTS',
]);

export const CHECK_RULES: readonly CheckRule[] = [
  // §3 / §4.1 / §6.1: where the DSM Data Collector runs.
  rule(
    'DC_AT_PROTECTED_SITE',
    'warning',
    '§3.1, §4.1',
    'The Data Collector runs at the protected site',
    'Run the Data Collector at the recovery site (connection.dataCollectorSite), so a disaster at the protected site leaves it up.',
  ),
  rule(
    'DUAL_SITE_NO_REMOTE_DC',
    'warning',
    '§3.2, §4.1, §6.1',
    'Both sites protect VMs but only one Data Collector serves them',
    'Deploy a Remote Data Collector at the other site and register it as that site’s array manager (connection.remoteDataCollector: true).',
  ),
  rule(
    'DC_NOT_THIRD_SITE',
    'warning',
    '§3.3, §4.1',
    'With Live Volume, the Data Collector is not at a third site',
    'Run one Data Collector at a third site reachable from both (connection.dataCollectorSite: third-site).',
  ),
  rule(
    'REMOTE_DC_WITH_LIVE_VOLUME',
    'warning',
    '§3.3, §6.1',
    'A Remote Data Collector is used with Live Volume stretched storage',
    'Use a single Data Collector at a third site for both array managers; remove the Remote Data Collector.',
  ),
  // §4.2–§4.5: accounts and restore points.
  rule(
    'SRA_ACCOUNT_RIGHTS',
    'error',
    '§4.2, §4.3',
    'The SRA account lacks rights on an array of a replicating pair',
    'Give the SRA’s DSM account administrator rights on both arrays of the pair (a dedicated account such as srmadmin).',
  ),
  rule(
    'AUTO_RESTORE_POINTS',
    'warning',
    '§4.5',
    'Automatic restore-point saving is on',
    'Clear “Automatically save and validate restore points” in the Data Collector settings; save restore points by hand before and after a recovery (§4.4).',
  ),
  // §4.7: SRM settings for larger environments and stretched storage.
  rule(
    'COMMAND_TIMEOUT_LIVE_VOLUMES',
    'info',
    '§4.7',
    'Live Volumes need a longer storage.commandTimeout',
    'Set SRM’s storage.commandTimeout to at least the value drctl applies (storage.commandTimeout + 90 s per Live Volume).',
  ),
  rule(
    'COMMAND_TIMEOUT_LARGE_PLAN',
    'warning',
    '§4.7',
    'A plan with many datastores keeps the default storage.commandTimeout',
    'Raise storage.commandTimeout to 3600 s or more for plans with many datastores.',
  ),
  rule(
    'HOST_RESCAN_TIMEOUT',
    'warning',
    '§4.7',
    'Many datastores or hosts with a short host rescan timeout',
    'Raise storageProvider.hostRescanTimeoutSec to 600 s or more.',
  ),
  rule(
    'HOST_RESCAN_REPEAT',
    'info',
    '§4.7',
    'Many datastores with a single extra host rescan',
    'Raise storageProvider.hostRescanRepeatCnt to 2 or more so every newly presented datastore is found.',
  ),
  rule(
    'STRETCHED_MATCH_TIMEOUT',
    'warning',
    '§4.7',
    'Live Volume with a short stretched-device match timeout',
    'Raise storageProvider.stretchedDevicesMatchTimeout to 1000 s or more.',
  ),
  rule(
    'CLUSTER_LIMIT_BELOW_HOSTS',
    'warning',
    '§4.7',
    'A recovery cluster’s boot limit is below its number of hosts',
    'Raise the cluster’s srmMaxBootShutdownOps (or defaultMaxBootAndShutdownOpsPerCluster) to at least its host count, so no host sits idle.',
  ),
  rule(
    'CLUSTER_LIMIT_BELOW_HOST_LIMIT',
    'info',
    '§4.7',
    'A cluster’s boot limit is below the per-host limit',
    'The per-host limit can never bind in this cluster: lower defaultMaxBootAndShutdownOpsPerHost or raise the cluster limit.',
  ),
  rule(
    'BOOT_LIMITS_OFF',
    'info',
    '§4.7; SRM users: boot storms',
    'A large plan powers on with no boot limit',
    'Set defaultMaxBootAndShutdownOpsPerHost (e.g. 4) and defaultMaxBootAndShutdownOpsPerCluster (e.g. 32) so a boot storm does not time out VMware Tools waits.',
  ),
  // §5: replication.
  rule(
    'QOS_MISMATCH',
    'warning',
    '§5.3',
    'A replicated volume uses different QoS definitions on its two arrays',
    'Use the same QoS definition on both arrays of the pair.',
  ),
  rule(
    'QOS_ARRAY_MISMATCH',
    'warning',
    '§5.3',
    'The two arrays of a pair have different QoS definitions',
    'Keep the QoS definitions identical on both SC Series systems of the pair.',
  ),
  rule(
    'LV_SYNC_HIGH_CONSISTENCY',
    'error',
    '§3.3, §5.4',
    'A Live Volume replicates synchronously in high-consistency mode',
    'Use asynchronous or synchronous high-availability replication for Live Volumes protected by SRM.',
  ),
  rule(
    'LV_AUTO_FAILOVER',
    'error',
    '§3.3, §5.4',
    'A Live Volume has automatic failover on',
    'Turn Live Volume automatic failover off.',
  ),
  rule(
    'LV_AUTO_ROLE_SWAP',
    'error',
    '§3.3, §5.4',
    'A Live Volume has automatic role swap on',
    'Turn Live Volume automatic role swap off.',
  ),
  rule(
    'LV_UNIFORM_MAPPING',
    'error',
    '§3.3, §5.4',
    'A Live Volume is mapped uniformly',
    'Map the Live Volume non-uniformly (each site’s hosts see their own array).',
  ),
  rule(
    'LV_CONSISTENCY_GROUP',
    'error',
    '§5.4',
    'A Live Volume is in a consistency group',
    'Take the Live Volume out of the consistency group; SRM does not support consistency groups with Live Volume.',
  ),
  rule(
    'LV_MANAGED_REPLICATION',
    'error',
    '§3.3, §5.4',
    'A Live Volume manages a replication (managed replication)',
    'Recover the Live Volume and its managed replication with DSM’s Activate Disaster Recovery, or remove the managed replication before protecting the Live Volume with SRM.',
  ),
  rule(
    'ACTIVE_SNAPSHOT_CRASH_CONSISTENT',
    'info',
    '§5.6, §5.8',
    'An application’s volume replicates the active snapshot, and the plan recovers it',
    'Expect crash-consistent data; choose “Always use Last Frozen Snapshot” on the Data Collector (arrayManagers[].selectableSnapshot: always-last-frozen) if the application needs its frozen, consistent snapshot.',
  ),
  rule(
    'INCONSISTENT_REPLICATION_POINTS',
    'warning',
    '§5.7',
    'An application’s volumes finished replicating at different times',
    'Recover the application’s volumes from a common consistent snapshot, or wait until they have all replicated it.',
  ),
  rule(
    'PER_RESTORE_POINT_UNSET',
    'info',
    '§5.8',
    'Snapshot selection per restore point, with devices that name none',
    'Name a restore point for each device in plans[].restorePoints; devices without one use the last frozen snapshot.',
  ),
  rule(
    'CONSISTENCY_GROUP_TOO_LARGE',
    'warning',
    'SRM/SC: consistent Replay Profile ≤ 40 volumes',
    'A consistency group holds more than 40 volumes',
    'Split the consistency group: a consistent Replay Profile covers at most 40 volumes.',
  ),
  // §6: SRM configuration.
  rule(
    'ARRAY_PAIR_DISABLED',
    'error',
    '§6.2',
    'A protection group uses a disabled array pair',
    'Enable the array pair (arrayPairs[].enabled: true); SRM discovers devices only on enabled pairs.',
  ),
  rule(
    'PLAN_DIRECTION',
    'error',
    'SRM: DIRECTION_ERROR',
    'A plan’s replicated volumes do not replicate from its protected site',
    'Replicate the plan’s volumes from the protected site’s array, or fix the plan’s protectedSite.',
  ),
  rule(
    'NO_PLACEHOLDER_DATASTORE',
    'warning',
    '§6.4',
    'A recovery site has no placeholder datastore',
    'Create a small (e.g. 500 GB, thin) VMFS datastore at the site and name it in sites[].placeholderDatastore.',
  ),
  rule(
    'NO_REPROTECT_PLACEHOLDER',
    'warning',
    '§6.4, §8.1',
    'A protected site has no placeholder datastore for reprotect',
    'Create a placeholder datastore at the protected site too: reprotect creates placeholder VMs there.',
  ),
  rule(
    'PLACEHOLDER_REPLICATED',
    'info',
    '§6.4',
    'A placeholder datastore is replicated',
    'The placeholder datastore holds only transient files; it need not be replicated or protected.',
  ),
  rule(
    'VM_DATASTORE_NOT_RECOVERED',
    'error',
    '§6.4',
    'A protected VM has a datastore no protection group of the plan recovers',
    'Add the datastore to the VM’s protection group (or move the VM’s files to a protected datastore); SRM recovers a VM only from the datastores it is pinned to.',
  ),
  // SRM behaviour (VM recovery settings, priorities, dependencies).
  rule(
    'TOOLS_WAIT_SHORTER_THAN_BOOT',
    'warning',
    'SRM: VMware Tools wait',
    'A VM’s VMware Tools wait is shorter than its boot',
    'Raise the VM’s toolsWaitSeconds above its Tools heartbeat time; when the wait runs out the VM’s recovery fails.',
  ),
  rule(
    'TOOLS_WAIT_OFF_WITH_DEPENDENTS',
    'info',
    'SRM: VMware Tools wait',
    'Other VMs depend on a VM that does not wait for VMware Tools',
    'Set a toolsWaitSeconds on the VM others depend on; without it they power on before it has booted.',
  ),
  rule(
    'DEPENDENCY_CROSSES_PRIORITY',
    'error',
    'SRM: dependencies only within one priority',
    'A VM depends on a VM of another priority',
    'Put both VMs in the same priority group, or drop the dependency: SRM ignores dependencies across priorities.',
  ),
  rule(
    'ENVIRONMENT_INVALID',
    'error',
    'drctl validate',
    'The environment file does not load',
    'Fix the field the message names (drctl validate shows every problem); nothing else is checked until the file loads.',
  ),
  // Live: what the endpoints report through the storage port's device discovery.
  rule(
    'LIVE_DEVICE_MISSING',
    'error',
    '§6.3',
    'A protected volume is not among the replicated devices the array reports',
    'Replicate the volume (non-replicated volumes are not discovered), or fix its id in the environment file.',
    'live',
  ),
  rule(
    'LIVE_REPLICATION_DIFFERS',
    'warning',
    '§5',
    'The array reports another replication setting than the environment file',
    'Update the environment file (or the replication) so both say the same.',
    'live',
  ),
  // Live: what the Data Collector reports about replication QoS nodes.
  rule(
    'LIVE_QOS_NODE_MISSING',
    'warning',
    '§5.3',
    'A QoS definition the file names is not a replication QoS node on its array',
    'Create the QoS node on the array with the same definition as on its peer, or name an existing one in the environment file.',
    'live',
  ),
  rule(
    'LIVE_QOS_NODE_DIFFERS',
    'warning',
    '§5.3',
    'A QoS node of the same name has another link speed or bandwidth limit on the two arrays of a pair',
    'Give the QoS node the same link speed and bandwidth limit on both SC Series systems of the pair.',
    'live',
  ),
  // Live: what each site's vCenter reports.
  rule(
    'LIVE_VM_NO_TOOLS',
    'warning',
    'SRM: recovery waits for the VMware Tools heartbeat (StartupActionSettings)',
    'A protected VM has no VMware Tools',
    'Install VMware Tools in the VM, or set its toolsWaitSeconds to 0 and give its dependents a delay instead.',
    'live',
  ),
  rule(
    'LIVE_HOST_CANNOT_SEE_DATASTORE',
    'warning',
    '§4.7, SRM: a recovered datastore is mounted on the hosts its device is presented to',
    'A host does not see a datastore or device the other hosts of its cluster see',
    'Present the volume to every host of the cluster (map it to the cluster’s server object on the array) and rescan.',
    'live',
  ),
  rule(
    'LIVE_NOT_IN_VCENTER',
    'error',
    'SRM: names resolve at the vCenter before a recovery',
    'A protected VM or a host of the environment file is not in its site’s vCenter',
    'Fix the name in the environment file, or add the object to the vCenter.',
    'live',
  ),
];

const BY_CODE = new Map(CHECK_RULES.map((r) => [r.code, r] as const));

/** The rule with this code; a programmer error when unknown. */
export function checkRule(code: string): CheckRule {
  const found = BY_CODE.get(code);
  if (!found) throw new Error(`No check rule ${code}.`);
  return found;
}
