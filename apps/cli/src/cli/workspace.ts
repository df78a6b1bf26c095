import { resolve } from 'node:path';
import { DrError, type WorkflowName } from '@drctl/domain';
import {
  BUILT_IN_STORAGE,
  openWorkspace,
  type StorageChoice,
  type Workspace,
  type WorkspaceOptions,
} from '@drctl/runtime';
import { cliLogger } from './logger.js';
import type { CliIo } from './io.js';
import { environmentPath, MAX_SEED, wholeNumber } from './options.js';
import { STORAGE_FACTORIES } from './storage-factories.js';
import { stateDirFor } from './workspace-paths.js';

export const STORAGE_CHOICES: readonly StorageChoice[] = ['simulated', 'sc-series', 'vsphere-replication'];

/** The flags that say which environment to open and how. */
export interface WorkspaceFlags {
  env?: string;
  stateDir?: string;
  simulate?: boolean;
  storage?: StorageChoice;
  seed?: string;
  set?: string[];
  inject?: string[];
  vmwareDrXml?: string;
  /** `postgres://…` (else $DRCTL_STORE, else the state folder). */
  store?: string;
  engineId?: string;
}

export interface OpenOptions {
  autoAnswer?: { answer: string; by: string };
  /** Commands that only read: the shared simulated state is never written. */
  readOnly?: boolean;
  /**
   * Commands that run workflows: without `--simulate` they run against the environment file's
   * vCenters and Data Collectors (refused, listing every problem, when those are incomplete or
   * do not hold what the file names). Other commands only read the state folder.
   */
  requireSimulate?: boolean;
  /** The workflow a run command opens the workspace for (a real disaster recovery tolerates a lost site). */
  workflow?: WorkflowName;
}

/** Storage kinds the run would use that drctl cannot build: a clear refusal before anything runs. */
function checkStorageAvailable(workspace: Workspace, choice: StorageChoice | undefined): void {
  const kinds = new Set(choice ? [choice] : workspace.env.arrayManagers.map((m) => m.adapter));
  for (const kind of kinds) {
    if (BUILT_IN_STORAGE.includes(kind) || STORAGE_FACTORIES[kind]) continue;
    const where = choice ? '--storage' : `arrayManagers (adapter: ${kind})`;
    throw new DrError(
      'DR_OPERATION_REFUSED',
      `The ${kind} storage adapter is not wired into this drctl build yet; run with --storage simulated.`,
      {
        issues: [{ path: choice ? '--storage' : 'arrayManagers', message: `${where}: no ${kind} adapter available` }],
      },
    );
  }
}

/** The shared store and this engine's id: flags first, then DRCTL_STORE and DRCTL_ENGINE_ID. */
export function storeFlags(
  io: CliIo,
  flags: Pick<WorkspaceFlags, 'store' | 'engineId'>,
): {
  store?: string;
  engineId?: string;
  leaseMs?: number;
} {
  const store = flags.store ?? io.env['DRCTL_STORE'];
  const engineId = flags.engineId ?? io.env['DRCTL_ENGINE_ID'];
  // How long a run's lease lasts without a heartbeat: the time a takeover waits (docs/multi-engine.md).
  const leaseMs = wholeNumber('DRCTL_LEASE_MS', io.env['DRCTL_LEASE_MS'], 100);
  return {
    ...(store ? { store } : {}),
    ...(engineId ? { engineId } : {}),
    ...(store && leaseMs !== undefined ? { leaseMs } : {}),
  };
}

/** Opens the environment the flags name, with its state folder, settings and (simulated) world. */
export async function openCliWorkspace(
  io: CliIo,
  flags: WorkspaceFlags,
  options: OpenOptions = {},
): Promise<Workspace> {
  const path = environmentPath(io, flags.env);
  const seed = wholeNumber('--seed', flags.seed, 0, MAX_SEED);
  const workspaceOptions: WorkspaceOptions = {
    environmentPath: path,
    simulate: !options.requireSimulate || flags.simulate === true,
    logger: cliLogger(io),
    storageFactories: STORAGE_FACTORIES,
    stateDir: stateDirFor(io, path, flags.stateDir),
    ...(flags.storage ? { storage: flags.storage } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(flags.set?.length ? { set: flags.set } : {}),
    ...(flags.inject?.length ? { inject: flags.inject } : {}),
    ...(flags.vmwareDrXml ? { vmwareDrXml: resolve(io.cwd, flags.vmwareDrXml) } : {}),
    ...(options.autoAnswer ? { autoAnswer: options.autoAnswer } : {}),
    ...storeFlags(io, flags),
    ...(options.readOnly ? { readOnly: true } : {}),
    ...(options.workflow ? { workflow: options.workflow } : {}),
  };
  const workspace = await openWorkspace(workspaceOptions);
  try {
    checkStorageAvailable(workspace, flags.storage);
  } catch (error) {
    await workspace.close();
    throw error;
  }
  return workspace;
}
