import { selectableSnapshotHonoured, type CommandContext, type SnapshotMode } from '@drctl/domain';

/**
 * SRM selectable snapshot (source §5.8, Table 1). DSM decides, per replication, whether a test or
 * a recovery presents the active snapshot (the data as it arrived) or the last frozen snapshot
 * that finished replicating. The setting is honoured only where Table 1 says so; everywhere else
 * the SRA presents the active snapshot, as SRM asks for the newest data at the recovery site.
 */
export type SnapshotSource = 'active' | 'last-frozen' | 'restore-point';

export interface SnapshotChoice {
  source: SnapshotSource;
  /** With `restore-point`: the snapshot (replay) to use, by description, name or global index. */
  snapshot?: string;
  /** Whether Table 1 lets the selectable-snapshot setting apply to this action. */
  honoured: boolean;
  mode: SnapshotMode;
  /** One sentence for the report: which rule decided. */
  reason: string;
}

export type { Table1Verdict } from '@drctl/domain';
/** Table 1: when SRM selectable snapshot is honoured (one rule, in @drctl/domain). */
export { selectableSnapshotHonoured };

/** Values of a per-restore-point entry that mean "use the active snapshot" / "last frozen". */
const ACTIVE_WORDS = new Set(['active', 'use-active', 'active-snapshot']);
const FROZEN_WORDS = new Set(['last-frozen', 'frozen', 'last-frozen-snapshot']);

export function chooseSnapshot(input: {
  context: CommandContext;
  device: string;
  replicateActiveSnapshot: boolean;
}): SnapshotChoice {
  const mode: SnapshotMode = input.context.snapshotMode ?? 'always-active';
  const verdict = selectableSnapshotHonoured(input.context);
  if (!verdict.honoured)
    return {
      source: 'active',
      honoured: false,
      mode,
      reason: `active snapshot: selectable snapshot ${verdict.reason}`,
    };
  switch (mode) {
    case 'always-active':
      return {
        source: 'active',
        honoured: true,
        mode,
        reason: `active snapshot: mode always-active, ${verdict.reason}`,
      };
    case 'always-last-frozen':
      return {
        source: 'last-frozen',
        honoured: true,
        mode,
        reason: `last frozen snapshot: mode always-last-frozen, ${verdict.reason}`,
      };
    case 'active-if-replicating-active':
      return input.replicateActiveSnapshot
        ? {
            source: 'active',
            honoured: true,
            mode,
            reason: `active snapshot: the replication replicates the active snapshot, ${verdict.reason}`,
          }
        : {
            source: 'last-frozen',
            honoured: true,
            mode,
            reason: `last frozen snapshot: the replication does not replicate the active snapshot, ${verdict.reason}`,
          };
    case 'per-restore-point': {
      const entry = input.context.restorePoints?.[input.device]?.trim();
      if (entry === undefined || entry === '' || FROZEN_WORDS.has(entry.toLowerCase())) {
        // DSM's per-restore-point default is a cleared "use active snapshot" box: last frozen.
        return {
          source: 'last-frozen',
          honoured: true,
          mode,
          reason: `last frozen snapshot: the restore point does not use the active snapshot, ${verdict.reason}`,
        };
      }
      if (ACTIVE_WORDS.has(entry.toLowerCase())) {
        return {
          source: 'active',
          honoured: true,
          mode,
          reason: `active snapshot: the restore point uses the active snapshot, ${verdict.reason}`,
        };
      }
      return {
        source: 'restore-point',
        snapshot: entry,
        honoured: true,
        mode,
        reason: `snapshot "${entry}" chosen for this restore point, ${verdict.reason}`,
      };
    }
  }
}
