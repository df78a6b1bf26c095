import type { CalloutRunner, Environment, RunReport, WorkflowName } from '@drctl/domain';
import { openWorkspace, type Workspace, type WorkspaceOptions } from '../workspace.js';

/** Workflows that need another to have run first on a plan fresh from its environment file. */
export const PREREQUISITES: Readonly<Record<WorkflowName, readonly WorkflowName[]>> = {
  test: [],
  cleanup: ['test'],
  'planned-migration': [],
  'disaster-recovery': [],
  reprotect: ['planned-migration'],
  failback: ['planned-migration', 'reprotect'],
};

/**
 * Callouts in a dry run: nothing is executed (a command may touch production). `predict` turns
 * the plan's command and webhook callouts into timed prompts first (`withTimedCallouts`), so
 * this runner only serves a dry run without them.
 */
export const DRY_CALLOUTS: CalloutRunner = {
  runCommand: () => Promise.resolve({ status: 'success', message: 'not run: dry run for drctl predict' }),
  runWebhook: () => Promise.resolve({ status: 'success', message: 'not sent: dry run for drctl predict' }),
};

export interface DryRunOptions extends Pick<WorkspaceOptions, 'set' | 'vmwareDrXml' | 'seed' | 'storage' | 'logger'> {
  environmentPath: string;
  environment: Environment;
  plan: string;
  workflow: WorkflowName;
  /**
   * Prompts answered after a wait in virtual time, ms by prompt text (the callouts
   * `withTimedCallouts` turned into prompts); every other prompt is answered at once.
   */
  promptDelays?: ReadonlyMap<string, number>;
}

export interface DryRun {
  report: RunReport;
  settings: Workspace['settings'];
  /** Real milliseconds the dry run took (prerequisites included). */
  wallMs: number;
}

/**
 * Runs `workflow` on `plan` in memory on the simulated world under virtual time, the same
 * composition a `--simulate` run uses: the engine, its limits and the simulators, from the
 * environment file's initial state (after any prerequisite workflow). Prompts are answered at
 * once (those in `promptDelays` after their wait) and callouts are not executed.
 */
export async function dryRun(options: DryRunOptions): Promise<DryRun> {
  const began = performance.now();
  const delays = options.promptDelays;
  const timed = delays !== undefined && delays.size > 0;
  const workspace = await openWorkspace({
    environmentPath: options.environmentPath,
    environment: options.environment,
    inMemory: true,
    // Nobody reads this world back: the checkpoints after each step would only serialize it.
    readOnly: true,
    callouts: DRY_CALLOUTS,
    ...(timed ? {} : { autoAnswer: { answer: 'ok', by: 'drctl predict' } }),
    ...(options.set ? { set: options.set } : {}),
    ...(options.vmwareDrXml ? { vmwareDrXml: options.vmwareDrXml } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.storage ? { storage: options.storage } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const unsubscribe = timed
    ? workspace.engine.subscribe((event) => {
        if (event.type !== 'prompt-waiting') return;
        const answer = () => workspace.engine.answerPrompt(event.promptId, 'ok', 'drctl predict');
        const ms = delays.get(event.text) ?? 0;
        if (ms <= 0) answer();
        else void workspace.clock.sleep(ms).then(answer);
      })
    : undefined;
  try {
    let report: RunReport | undefined;
    for (const workflow of [...PREREQUISITES[options.workflow], options.workflow]) {
      const handle = await workspace.drive(workspace.engine.start({ plan: options.plan, workflow }));
      report = await workspace.drive(handle.done);
    }
    return { report: report!, settings: workspace.settings, wallMs: performance.now() - began };
  } finally {
    unsubscribe?.();
    await workspace.close();
  }
}
