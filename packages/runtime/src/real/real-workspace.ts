import { dirname, join, resolve } from 'node:path';
import { pino } from 'pino';
import { SystemClock, type Environment, type ResolvedSettings } from '@drctl/domain';
import { createCalloutRunner } from '@drctl/callouts';
import { FileStore, MemoryStore } from '@drctl/store';
import { Engine, type EngineOptions } from '@drctl/workflows';
import { invocationOf } from '../invocation.js';
import type { Workspace, WorkspaceOptions } from '../workspace.js';
import { composeRealEndpoints, preflightRealRun } from './real-endpoints.js';

/**
 * A workspace over real endpoints (no --simulate): the system clock, each site's vCenter through
 * the vSphere adapter, each array manager's Data Collector through the SC Series adapter, after a
 * preflight that resolves every name at every vCenter. The store, journal, reports and callouts
 * are the same as in a simulation.
 */
export async function openRealWorkspace(
  options: WorkspaceOptions,
  env: Environment,
  settings: ResolvedSettings,
): Promise<Workspace> {
  const logger = options.logger ?? pino({ level: 'silent' });
  const envDir = dirname(resolve(options.environmentPath));
  const stateDir = resolve(options.stateDir ?? join(envDir, '.drctl'));
  const store = options.inMemory ? new MemoryStore() : new FileStore(stateDir);
  const clock = new SystemClock();
  const endpoints = composeRealEndpoints({
    env,
    clock,
    logger,
    autoResignatureMode: settings.values['storageProvider.autoResignatureMode'],
  });
  try {
    await preflightRealRun(endpoints, env, AbortSignal.timeout(120_000), {
      logger,
      toleratesLostSite: options.workflow === 'disaster-recovery',
    });
  } catch (error) {
    await endpoints.close();
    throw error;
  }
  // Saved with every run, so resume and cancel rebuild this real workspace, never a simulated one.
  const invocation = invocationOf({ ...options, simulate: false });
  const engineOptions: EngineOptions = {
    environment: env,
    settings,
    compute: endpoints.compute,
    storage: endpoints.storage,
    callouts: createCalloutRunner({ cwd: envDir }),
    clock,
    store,
    logger,
    invocation: { ...invocation },
    ...(options.autoAnswer ? { autoAnswer: options.autoAnswer } : {}),
    ...(options.inspect ? { inspect: options.inspect } : {}),
    ...(options.onStepPersisted ? { onStepPersisted: options.onStepPersisted } : {}),
  };
  const engine = new Engine(engineOptions);
  return {
    invocation,
    env,
    environmentPath: options.environmentPath,
    stateDir,
    settings,
    clock,
    store,
    engine,
    storageFor: endpoints.storage,
    drive: (work) => work,
    async close() {
      try {
        await engine.close();
      } finally {
        await endpoints.close();
      }
    },
  };
}
