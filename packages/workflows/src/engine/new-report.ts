import type { Clock, ResolvedSettings, RunReport } from '@drctl/domain';
import type { RunMeta } from './run-meta.js';
import { commandTimeout, modeLabel } from './run-setup.js';

/** A run's report as it stands before its first step: who, what, where, with which settings. */
export function newRunReport(meta: RunMeta, settings: ResolvedSettings, clock: Clock, liveVolumes: number): RunReport {
  const values = settings.values;
  return {
    runId: meta.runId,
    plan: meta.plan,
    workflow: meta.workflow,
    mode: modeLabel(meta.workflow, meta.mode),
    result: 'running',
    startedAt: new Date(clock.now()).toISOString(),
    protectedSite: meta.protectedSite,
    recoverySite: meta.recoverySite,
    settings: {
      ...values,
      appliedCommandTimeoutSeconds: commandTimeout(values, liveVolumes, settings.origins['storage.commandTimeout'])
        .seconds,
      liveVolumes,
    },
    steps: [],
    vms: [],
    storageCommands: [],
    prompts: [],
    // A forced recovery's reason is in the report from the moment the run exists.
    notes: [...(meta.startNotes ?? [])],
  };
}
