import type { StorageThroughputResult } from '@drctl/runtime';
import type { SizeMeasurement } from './child.js';

/** One size's figures: the in-memory run (with the baselines) and the durable (file store) run. */
export interface SizeFigures {
  vms: number;
  memory: SizeMeasurement;
  file: SizeMeasurement;
  /** The same run on the PostgreSQL store, at the sizes measured there. */
  postgres?: SizeMeasurement;
  rtoOverLowerBound: number;
  naiveOverLowerBound: number;
  schedulerOnlyOverLowerBound: number;
  durableOverMemory: number;
  /** Engine wall time on PostgreSQL over in-memory (NaN when not measured). */
  postgresOverMemory: number;
}

export interface BenchFigures {
  /** Worst over the sizes. Target ≤ 1.05. */
  rtoOverLowerBound: number;
  /** The naive batch scheduler's RTO over the bound, at the size where drctl is worst. */
  naiveOverLowerBound: number;
  /** In-memory engine wall time at 10,000 VMs. Target ≤ 2 s (issue 13; was ≤ 3 s). */
  wallSeconds10k: number;
  /** File-store engine wall time at 10,000 VMs. Target ≤ 2 s (issue 13). */
  fileWallSeconds10k: number;
  /** Peak RSS of the 10,000-VM process. Target ≤ 250 MB (issue 13; was ≤ 300 MB). */
  rssMegabytes10k: number;
  /** In-memory engine wall time, 20,000 over 10,000 VMs. Target ≤ 2.2. */
  scaling20kOver10k: number;
  /** Engine wall time with the file store (fsync on) over in-memory, at 10,000 VMs. Target ≤ 1.3. */
  durableOverMemory: number;
  /** SC Series adapter + DSM simulator over HTTPS at maxConcurrentCommandCnt 5 (real time). */
  storageCommandsPerSecond?: number;
  /** One storage command's cost through the adapter, in bare undici requests to the same server. */
  adapterOverheadRatio?: number;
  storage?: StorageThroughputResult;
  /** Each target and whether it was met (absent when the sizes it needs were not run). */
  targets: Record<
    | 'rtoOverLowerBound'
    | 'wallSeconds10k'
    | 'fileWallSeconds10k'
    | 'rssMegabytes10k'
    | 'scaling20kOver10k'
    | 'durableOverMemory',
    { target: string; met?: boolean }
  >;
  sizes: SizeFigures[];
  /** How the figures were taken. */
  run: { node: string; cpus: number; loadAverageAtStart: number[]; repeat: number; startedAt: string; command: string };
}

/**
 * The 10,000-VM figures recorded before issue 13 §3 (`pnpm bench --write` at main 73552c7,
 * 2026-11-28, docs/benchmarks.md), printed beside every run's own.
 */
export const ENGINE_BEFORE = {
  commit: '73552c7',
  wallSeconds10k: 3.62,
  fileWallSeconds10k: 3.98,
  rssMegabytes10k: 291,
} as const;

export function sizeFigures(memory: SizeMeasurement, file: SizeMeasurement, postgres?: SizeMeasurement): SizeFigures {
  return {
    vms: memory.vms,
    memory,
    file,
    ...(postgres ? { postgres } : {}),
    postgresOverMemory: postgres ? postgres.engineWallSeconds / memory.engineWallSeconds : NaN,
    rtoOverLowerBound: memory.simulatedRtoSeconds / memory.lowerBoundSeconds,
    naiveOverLowerBound: memory.naiveSeconds / memory.lowerBoundSeconds,
    schedulerOnlyOverLowerBound: memory.schedulerOnlySeconds / memory.lowerBoundSeconds,
    durableOverMemory: file.engineWallSeconds / memory.engineWallSeconds,
  };
}

export function benchFigures(
  sizes: SizeFigures[],
  run: BenchFigures['run'],
  storage?: StorageThroughputResult,
): BenchFigures {
  const at = (vms: number) => sizes.find((s) => s.vms === vms);
  const worst = sizes.reduce((a, b) => (b.rtoOverLowerBound > a.rtoOverLowerBound ? b : a), sizes[0]!);
  const tenK = at(10_000);
  const twentyK = at(20_000);
  const figures = {
    rtoOverLowerBound: worst.rtoOverLowerBound,
    naiveOverLowerBound: worst.naiveOverLowerBound,
    wallSeconds10k: tenK?.memory.engineWallSeconds ?? NaN,
    fileWallSeconds10k: tenK?.file.engineWallSeconds ?? NaN,
    rssMegabytes10k: tenK?.memory.peakRssMegabytes ?? NaN,
    scaling20kOver10k: tenK && twentyK ? twentyK.memory.engineWallSeconds / tenK.memory.engineWallSeconds : NaN,
    durableOverMemory: tenK?.durableOverMemory ?? NaN,
  };
  const check = (target: string, value: number, limit: number) =>
    Number.isFinite(value) ? { target, met: value <= limit } : { target };
  return {
    ...figures,
    targets: {
      rtoOverLowerBound: check('≤ 1.05', figures.rtoOverLowerBound, 1.05),
      wallSeconds10k: check('≤ 2 s', figures.wallSeconds10k, 2),
      fileWallSeconds10k: check('≤ 2 s', figures.fileWallSeconds10k, 2),
      rssMegabytes10k: check('≤ 250 MB', figures.rssMegabytes10k, 250),
      scaling20kOver10k: check('≤ 2.2', figures.scaling20kOver10k, 2.2),
      durableOverMemory: check('≤ 1.3', figures.durableOverMemory, 1.3),
    },
    ...(storage
      ? { storageCommandsPerSecond: storage.commandsPerSecond, adapterOverheadRatio: storage.overheadRatio, storage }
      : {}),
    sizes,
    run,
  };
}
