import type { CommandContext, SnapshotMode } from '@drctl/domain';
import type { DsmClient } from '../http/dsm-client.js';
import { DsmHttpError } from '../http/errors.js';
import { str } from './wire.js';

/**
 * SRM selectable snapshot is a DSM-wide setting of the Data Collector (guide §5.8), and it is DSM
 * that applies it when the SRA asks for a failover or a test. ASSUMED endpoint: no public client
 * reads the setting (see the DSM simulator's README), so the path and the values below follow
 * DSM's naming of the four choices; a Data Collector that does not serve it (404) leaves the
 * environment file's `arrayManagers[].selectableSnapshot` in charge.
 */
export const SELECTABLE_SNAPSHOT_PATH = 'DataCollector/SrmSelectableSnapshotSettings';

/** DSM's names for the four choices of §5.8, both ways. */
export const DSM_SNAPSHOT_MODES: Readonly<Record<SnapshotMode, string>> = {
  'always-active': 'AlwaysUseActiveSnapshot',
  'active-if-replicating-active': 'UseActiveSnapshotIfReplicatingActiveSnapshot',
  'always-last-frozen': 'AlwaysUseLastFrozenSnapshot',
  'per-restore-point': 'UseRestorePointSettings',
};

const FROM_DSM = new Map(
  Object.entries(DSM_SNAPSHOT_MODES).map(([mode, wire]) => [wire.toLowerCase(), mode as SnapshotMode] as const),
);

/** The Data Collector's setting, or undefined when it does not serve it. */
export async function readSelectableSnapshot(
  client: DsmClient,
  signal: AbortSignal,
): Promise<SnapshotMode | undefined> {
  let body: unknown;
  try {
    body = await client.get(SELECTABLE_SNAPSHOT_PATH, signal);
  } catch (error) {
    if (error instanceof DsmHttpError && error.status === 404) return undefined;
    throw error;
  }
  const wire = str(body, 'mode');
  return wire === undefined ? undefined : FROM_DSM.get(wire.toLowerCase());
}

/**
 * The command's context with the mode DSM applies, and a warning when the environment file says
 * otherwise: DSM decides, so the file is what is wrong (and would mislead `drctl check`).
 */
export function withDsmSelectableSnapshot(
  context: CommandContext,
  dsmMode: SnapshotMode | undefined,
): { context: CommandContext; warning?: string } {
  if (dsmMode === undefined) return { context };
  const declared = context.snapshotMode;
  const applied = { ...context, snapshotMode: dsmMode };
  if (declared === undefined || declared === dsmMode) return { context: applied };
  return {
    context: applied,
    warning: `The Data Collector's SRM selectable snapshot is ${dsmMode}, but the environment file says ${declared} (arrayManagers[].selectableSnapshot); DSM applies its own setting (§5.8), so ${dsmMode} was used: correct the file.`,
  };
}
