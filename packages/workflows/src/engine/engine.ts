import { pino, type Logger } from 'pino';
import type { Snapshot } from 'xstate';
import {
  DrError,
  resolvePlanVms,
  resolveSettings,
  SystemClock,
  type Clock,
  type DocumentStore,
  type ResolvedSettings,
  type RunReport,
} from '@drctl/domain';
import { SlotPool, type SlotLimits } from '@drctl/scheduler';
import { refusal } from '../machines/plan-lifecycle-machine.js';
import type { WorkflowOutcome } from '../machines/workflow-machine.js';
import type { EngineOptions, PlanStatus, RunHandle, StartOptions } from './engine-options.js';
import { EventHub, type EngineEventListener } from './events.js';
import { checkForcedRecovery } from './forced-recovery.js';
import { findInterruptedRuns, markNeverStarted, tryLock } from './interrupted-runs.js';
import { Journal } from './journal.js';
import { familyOf, loadPlan, planKey, planState, transition } from './plan-records.js';
import { PromptBroker, type WaitingPrompt } from './prompts.js';
import { ReportBuilder } from './report-builder.js';
import { readAllRunReports, readRunReport, reportKey } from './report-store.js';
import { createRunActor } from './run-actor.js';
import type { RunContext } from './run-context.js';
import { closeReport, recordRunEnd } from './run-end.js';
import { newRunReport } from './new-report.js';
import { journalKey, metaKey, modeOf, newRunId, snapshotKey, type RunMeta } from './run-meta.js';
import { AdapterRegistry, commandTimeout, discoverDevices, planDatastoreList, planDeviceMap } from './run-setup.js';
import { claimRun, takeoverNote } from './run-ownership.js';
import { slotKey } from './steps/vm-steps.js';
import { SharedBootSlots } from './shared-boot-slots.js';
import { ReusedSlots } from './reused-slots.js';
import { StorageGateway } from './storage-gateway.js';

export type { EngineOptions, PlanStatus, RunHandle, StartOptions } from './engine-options.js';
export { runInvocation } from './run-meta.js';

interface ActiveRun {
  meta: RunMeta;
  actor: { send: (e: { type: 'CANCEL'; reason?: string; untouched?: boolean }) => void };
  /** Whether the step the run is in has sent nothing to storage yet. */
  untouched: () => boolean;
  release: (() => Promise<void>) | undefined;
  /** Why it was cancelled, for the report. */
  cancelReason?: string;
  /** The store as this run's owner sees it (fenced by its lease under several engines). */
  store: DocumentStore;
  releaseLease: () => Promise<void>;
}

/**
 * The drctl engine: loads plans' lifecycles from the store, starts and resumes workflow runs,
 * answers prompts, cancels. One engine per process; its storage-command limit and boot/shutdown
 * slots are shared by every run it drives.
 */
export class Engine {
  readonly settings: ResolvedSettings;
  readonly events = new EventHub();
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly prompts = new PromptBroker();
  private readonly gateway: StorageGateway;
  private readonly pool: SlotPool;
  /** The shared slots this engine keeps between its requests (given back when it closes). */
  private readonly sharedSlots: ReusedSlots | undefined;
  private readonly adapters: AdapterRegistry;
  private readonly active = new Map<string, ActiveRun>();

  constructor(private readonly options: EngineOptions) {
    const env = options.environment;
    this.settings =
      options.settings ?? resolveSettings([{ origin: 'environment', pathPrefix: 'settings', values: env.settings }]);
    this.clock = options.clock ?? new SystemClock();
    this.logger = options.logger ?? pino({ level: 'silent' });
    const sharedSlots = options.sharedSlots ? new ReusedSlots(options.sharedSlots) : undefined;
    this.sharedSlots = sharedSlots;
    this.gateway = new StorageGateway(this.settings.values['storage.maxConcurrentCommandCnt'], this.clock, {
      ...(options.onCommandAnnounced ? { onCommandAnnounced: options.onCommandAnnounced } : {}),
      ...(sharedSlots ? { slots: sharedSlots } : {}),
    });
    this.pool = sharedSlots ? new SharedBootSlots(this.slotLimits(), sharedSlots) : new SlotPool(this.slotLimits());
    this.adapters = new AdapterRegistry(env, options.storage);
  }

  /** Per-host and per-cluster boot/shutdown limits; a cluster's srmMaxBootShutdownOps wins. */
  private slotLimits(): SlotLimits {
    const values = this.settings.values;
    const clusters = new Map<string, number | undefined>();
    for (const site of this.options.environment.sites) {
      for (const c of site.clusters) clusters.set(slotKey(site.name, c.name), c.srmMaxBootShutdownOps);
    }
    return {
      hostLimit: () => values.defaultMaxBootAndShutdownOpsPerHost,
      clusterLimit: (key) => clusters.get(key) ?? values.defaultMaxBootAndShutdownOpsPerCluster,
    };
  }

  /** Hears every engine event of every run (typed `EngineEvent`s); returns the unsubscribe function. */
  subscribe(listener: EngineEventListener): () => void {
    return this.events.subscribe(listener);
  }

  /** Prompts waiting for an answer, of one run or of all. */
  waitingPrompts(runId?: string): WaitingPrompt[] {
    return this.prompts.list(runId);
  }

  /**
   * Answers a waiting prompt; the run continues. `answeredBy` is recorded in the report.
   * @throws DrError when no prompt with that id is waiting.
   */
  answerPrompt(promptId: string, answer: string, answeredBy: string): void {
    this.prompts.answer(promptId, answer, answeredBy, new Date(this.clock.now()).toISOString());
  }

  /**
   * Asks a run of this engine to stop. Planned migration cancelled before the storage point of
   * no return rolls back; otherwise the run stops after its current step, `cancelled`.
   * @throws DrError `DR_RUN_NOT_FOUND` when the run is not active in this engine.
   */
  cancel(runId: string, reason = 'cancelled by the operator'): void {
    const run = this.active.get(runId);
    if (!run)
      throw new DrError('DR_RUN_NOT_FOUND', `Run ${runId} is not running in this engine.`, {
        issues: [{ path: 'runId', message: 'not an active run' }],
      });
    run.cancelReason ??= reason;
    run.actor.send({ type: 'CANCEL', reason, untouched: run.untouched() });
  }

  /** Ids of the runs this engine is driving now. */
  activeRuns(): string[] {
    return [...this.active.keys()];
  }

  private plan(name: string) {
    const plan = this.options.environment.plans.find((p) => p.name === name);
    if (!plan) {
      const known = this.options.environment.plans.map((p) => p.name).join(', ');
      throw new DrError('DR_INPUT_INVALID', `Unknown plan ${name}.`, {
        issues: [{ path: 'plan', message: `unknown plan ${name} (known: ${known || 'none'})` }],
      });
    }
    return plan;
  }

  /**
   * One plan's lifecycle state, direction and runs.
   * @throws DrError when the environment has no plan of that name.
   */
  async planStatus(name: string): Promise<PlanStatus> {
    const plan = this.plan(name);
    const { lifecycle } = await loadPlan(this.options.store, name);
    const { reversed, activeRunId, lastRunId } = lifecycle.context;
    const runId = activeRunId ?? lastRunId;
    const report = runId ? await this.report(runId) : undefined;
    return {
      plan: name,
      state: planState(lifecycle),
      reversed,
      protectedSite: reversed ? plan.recoverySite : plan.protectedSite,
      recoverySite: reversed ? plan.protectedSite : plan.recoverySite,
      activeRunId,
      lastRunId,
      ...(report ? { lastResult: report.result } : {}),
    };
  }

  /** Every plan of the environment, as {@link Engine.planStatus}. */
  async plans(): Promise<PlanStatus[]> {
    return Promise.all(this.options.environment.plans.map((p) => this.planStatus(p.name)));
  }

  /** A run's report as last written (reports are written as the run goes). */
  async report(runId: string): Promise<RunReport | undefined> {
    return readRunReport(this.options.store, runId);
  }

  /** Every run in the store, newest first (by start time). */
  async runs(plan?: string): Promise<RunReport[]> {
    return (await readAllRunReports(this.options.store))
      .filter((r) => plan === undefined || r.plan === plan)
      .sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }

  /**
   * Runs whose process died: the store says running, but no engine holds them. Marks their
   * report `interrupted` (they resume with `resume`), and closes runs announced but never
   * recorded on their plan. Needs the store's cross-process lock to tell a dead owner from a
   * live one in another process.
   */
  async findInterrupted(): Promise<string[]> {
    return findInterruptedRuns({
      store: this.options.store,
      clock: this.clock,
      plans: this.options.environment.plans.map((p) => p.name),
      isActive: (runId) => this.active.has(runId),
    });
  }

  private tryLock(name: string) {
    return tryLock(this.options.store, name);
  }

  /** Starts a workflow on a plan. Refuses, with the reason, what the plan's state does not allow. */
  async start(options: StartOptions): Promise<RunHandle> {
    const plan = this.plan(options.plan);
    const mode = modeOf(options);
    const mine = [...this.active.values()].find((r) => r.meta.plan === plan.name);
    if (mine) {
      throw new DrError(
        'DR_OPERATION_REFUSED',
        `Plan ${plan.name} has run ${mine.meta.runId} in progress; wait for it to finish or cancel it before starting ${options.workflow}.`,
        {
          issues: [{ path: 'plan', message: `run ${mine.meta.runId} is not finished` }],
        },
      );
    }
    const release = await this.tryLock(`plan-${plan.name}`);
    if (release === null) {
      throw new DrError('DR_OPERATION_REFUSED', `Plan ${plan.name} is being run by another drctl process.`, {
        issues: [{ path: 'plan', message: 'plan locked by another process' }],
      });
    }
    try {
      await this.options.beforeRun?.();
      const { record, lifecycle } = await loadPlan(this.options.store, plan.name);
      const active = lifecycle.context.activeRunId;
      if (active) {
        const report = await this.report(active);
        throw new DrError(
          'DR_OPERATION_REFUSED',
          `Plan ${plan.name} has run ${active} ${report?.result === 'interrupted' || !this.active.has(active) ? 'interrupted' : 'in progress'}; resume it (drctl resume ${active}) or cancel it before starting ${options.workflow}.`,
          { issues: [{ path: 'plan', message: `run ${active} is not finished` }] },
        );
      }
      const reason = refusal(lifecycle, options.workflow);
      if (reason)
        throw new DrError('DR_OPERATION_REFUSED', reason, { issues: [{ path: 'workflow', message: reason }] });
      await this.checkProtectionGroupsFree(plan.name, plan.protectionGroups);
      const forcedNote = await checkForcedRecovery({
        workflow: options.workflow,
        mode,
        settings: this.settings.values,
        compute: this.options.compute,
        clock: this.clock,
        protectedSite: lifecycle.context.reversed ? plan.recoverySite : plan.protectedSite,
      });

      const runId = newRunId(plan.name, options.workflow, this.clock.now());
      const family = familyOf(options.workflow);
      if (!record.operation || !record.operation.open || record.operation.family !== family) {
        record.operations += 1;
        record.operation = { id: `${plan.name}/${record.operations}-${family}`, family, open: true };
      }
      const reversed = lifecycle.context.reversed;
      const meta: RunMeta = {
        runId,
        plan: plan.name,
        workflow: options.workflow,
        mode,
        operationKey: record.operation.id,
        protectedSite: reversed ? plan.recoverySite : plan.protectedSite,
        recoverySite: reversed ? plan.protectedSite : plan.recoverySite,
        ...(forcedNote ? { startNotes: [forcedNote] } : {}),
        ...((options.invocation ?? this.options.invocation)
          ? { invocation: options.invocation ?? this.options.invocation }
          : {}),
      };
      if (forcedNote) this.logger.warn({ plan: plan.name, runId }, forcedNote);
      // The run exists durably before its plan names it: its meta (with the invocation) and a
      // `running` report first, then the plan record, the commit point. A kill before that leaves
      // an orphan that `findInterrupted` closes; a kill after it leaves a run resume and cancel find.
      await this.options.store.write(metaKey(runId), meta);
      const devices = planDeviceMap(this.options.environment, plan, meta.protectedSite, meta.recoverySite);
      await this.options.store.write(
        reportKey(runId),
        newRunReport(meta, this.settings, this.clock, devices.filter((d) => d.liveVolume).length),
      );
      transition(record, { type: 'START', workflow: options.workflow, runId });
      record.runs.push(runId);
      await this.options.store.write(planKey(plan.name), record);
      return await this.launch(meta, release, false);
    } catch (error) {
      await release?.();
      throw error;
    }
  }

  /**
   * Continues an interrupted run from its last persisted state; finished steps are not redone.
   * With `cancel`, the run is restored only to be cancelled: the step it was in when it stopped
   * is not started again, and a planned migration still before its storage steps rolls back.
   */
  async resume(runId: string, options: { cancel?: boolean; reason?: string } = {}): Promise<RunHandle> {
    const meta = await this.options.store.read<RunMeta>(metaKey(runId));
    if (!meta)
      throw new DrError('DR_RUN_NOT_FOUND', `No run ${runId} in the store.`, {
        issues: [{ path: 'runId', message: 'unknown run' }],
      });
    if (this.active.has(runId))
      throw new DrError('DR_OPERATION_REFUSED', `Run ${runId} is already running.`, {
        issues: [{ path: 'runId', message: 'already running' }],
      });
    const report = await this.report(runId);
    if (report && report.result !== 'running' && report.result !== 'interrupted') {
      throw new DrError(
        'DR_OPERATION_REFUSED',
        `Run ${runId} already finished (${report.result}); start the workflow again instead.`,
        { issues: [{ path: 'runId', message: `finished: ${report.result}` }] },
      );
    }
    const release = await this.tryLock(`plan-${meta.plan}`);
    if (release === null) {
      throw new DrError('DR_OPERATION_REFUSED', `Run ${runId} is still being run by another drctl process.`, {
        issues: [{ path: 'runId', message: 'locked by another process' }],
      });
    }
    try {
      const { record } = await loadPlan(this.options.store, meta.plan);
      if (!record.runs.includes(runId)) {
        if (report) await markNeverStarted({ store: this.options.store, clock: this.clock }, report);
        throw new DrError(
          'DR_OPERATION_REFUSED',
          `Run ${runId} never started: nothing was done, so nothing is left to resume.`,
          {
            issues: [{ path: 'runId', message: 'not recorded on its plan' }],
          },
        );
      }
      await this.options.beforeRun?.();
      return await this.launch(
        meta,
        release,
        true,
        options.cancel ? { reason: options.reason ?? 'cancelled by the operator' } : undefined,
      );
    } catch (error) {
      await release?.();
      throw error;
    }
  }

  private async checkProtectionGroupsFree(planName: string, groups: string[]): Promise<void> {
    for (const other of this.options.environment.plans) {
      if (other.name === planName) continue;
      const shared = other.protectionGroups.filter((g) => groups.includes(g));
      if (shared.length === 0) continue;
      const { lifecycle } = await loadPlan(this.options.store, other.name);
      if (lifecycle.context.activeRunId) {
        throw new DrError(
          'DR_OPERATION_REFUSED',
          `Protection group ${shared[0]} is in use by plan ${other.name} (run ${lifecycle.context.activeRunId}); one plan at a time may use it.`,
          {
            issues: [{ path: 'plan.protectionGroups', message: `${shared.join(', ')} in use by ${other.name}` }],
          },
        );
      }
    }
  }

  private async launch(
    meta: RunMeta,
    release: (() => Promise<void>) | undefined,
    resumed: boolean,
    cancelOnRestore?: { reason: string },
  ): Promise<RunHandle> {
    const env = this.options.environment;
    const plan = this.plan(meta.plan);
    const claim = await claimRun(this.options.ownership, this.options.store, meta.runId);
    const store = claim.store;
    const settings = this.settings.values;
    const devices = planDeviceMap(env, plan, meta.protectedSite, meta.recoverySite);
    // A run restored only to be cancelled asks the arrays nothing: the file's view will do.
    const discoveryMessages = cancelOnRestore
      ? []
      : await discoverDevices(devices, this.adapters, settings['storage.commandTimeout'], this.clock, this.logger);
    const liveVolumes = devices.filter((d) => d.liveVolume).length;
    const timeout = commandTimeout(settings, liveVolumes, this.settings.origins['storage.commandTimeout']);
    const journal = await Journal.open(store, journalKey(meta.operationKey));
    // Every transition's snapshot is a line of the journal: a resumed run restarts from the last
    // (runs from before snapshots were journalled kept theirs as a document).
    const restored = resumed
      ? ((journal.snapshot(meta.runId) as Snapshot<unknown> | undefined) ??
        (await store.read<Snapshot<unknown>>(snapshotKey(meta.runId))))
      : undefined;
    const now = () => new Date(this.clock.now()).toISOString();
    // Written when the run was announced (start); older state folders may lack it.
    const existing = await this.report(meta.runId);
    const report: RunReport = existing ?? newRunReport(meta, this.settings, this.clock, liveVolumes);
    if (!resumed || report.steps.length === 0)
      report.settings = { ...settings, appliedCommandTimeoutSeconds: timeout.seconds, liveVolumes };
    report.result = 'running';
    if (resumed) report.notes.push(`resumed at ${now()}${claim.engineId ? ` by engine ${claim.engineId}` : ''}`);
    const takeover = takeoverNote(claim, now());
    if (takeover) report.notes.push(takeover);
    for (const m of discoveryMessages) report.notes.push(m);
    const builder = new ReportBuilder(report, store, this.clock, claim.engineId);
    await builder.save();

    const protectedSiteUp = await this.options.compute
      .isSiteReachable(meta.protectedSite, new AbortController().signal)
      .catch(() => false);
    const ctx: RunContext = {
      runId: meta.runId,
      operationKey: meta.operationKey,
      journal,
      report: builder,
      events: this.events,
      timeoutSeconds: timeout.seconds,
      timeoutExplanation: timeout.explanation,
      // The host's shared state (the simulated world) is written only by the run's current owner.
      checkpoint: async () => {
        claim.fence();
        await this.options.checkpoint?.();
      },
      env,
      plan,
      workflow: meta.workflow,
      mode: meta.mode,
      protectedSite: meta.protectedSite,
      recoverySite: meta.recoverySite,
      vms: resolvePlanVms(env, plan),
      devices,
      datastores: planDatastoreList(env, plan),
      settings,
      compute: claim.guard(this.options.compute),
      callouts: this.options.callouts,
      storageForArray: (id) => claim.guard(this.adapters.forArray(id)),
      fence: claim.fence,
      clock: this.clock,
      gateway: this.gateway,
      prompts: this.prompts,
      pool: this.pool,
      logger: this.logger.child({ runId: meta.runId, plan: meta.plan, workflow: meta.workflow }),
      protectedSiteUp,
      autoAnswer: this.options.autoAnswer,
    };

    const run = createRunActor({
      meta,
      ctx,
      snapshot: restored,
      holdRestoredStep: cancelOnRestore !== undefined,
      inspect: this.options.inspect,
      onStepPersisted: this.options.onStepPersisted,
      logger: this.logger,
      onEnd: (outcome) => this.finalize(meta, ctx, outcome, release),
    });
    const { actor, untouched } = run;
    // Another engine took the run over: stop driving it here at once, finish nothing, write nothing.
    claim.onLost((error) => {
      this.logger.warn({ runId: meta.runId, err: error }, 'run lease lost; another engine owns the run now');
      this.active.delete(meta.runId);
      run.abandon(error);
      void release?.().catch(() => undefined);
    });
    this.active.set(meta.runId, {
      meta,
      actor,
      release,
      store,
      releaseLease: () => claim.release(),
      untouched,
      ...(cancelOnRestore ? { cancelReason: cancelOnRestore.reason } : {}),
    });
    this.events.emit({
      type: 'run-started',
      runId: meta.runId,
      plan: meta.plan,
      workflow: meta.workflow,
      mode: report.mode,
      at: now(),
      resumed,
    });
    actor.start();
    if (cancelOnRestore && actor.getSnapshot().status === 'active')
      actor.send({ type: 'CANCEL', reason: cancelOnRestore.reason, untouched: untouched() });
    run.endIfDone();
    return { runId: meta.runId, plan: meta.plan, workflow: meta.workflow, done: run.done };
  }

  /** Closes the run's report, tells its plan how it ended, releases it and announces the end. */
  private async finalize(
    meta: RunMeta,
    ctx: RunContext,
    outcome: WorkflowOutcome,
    release: (() => Promise<void>) | undefined,
  ): Promise<RunReport> {
    const active = this.active.get(meta.runId);
    const end = await closeReport(meta, ctx, outcome, active?.cancelReason);
    await recordRunEnd(active?.store ?? this.options.store, meta, end);
    this.active.delete(meta.runId);
    await active?.releaseLease();
    await release?.();
    const report = ctx.report.report;
    this.events.emit({
      type: 'run-finished',
      runId: meta.runId,
      result: end.result,
      at: report.finishedAt!,
      reportKey: reportKey(meta.runId),
    });
    return report;
  }

  /** Closes adapter sessions and gives back the shared slots no run uses. Runs still active keep going until they end. */
  async close(): Promise<void> {
    await this.sharedSlots?.close();
    await this.adapters.close();
  }
}

export function createEngine(options: EngineOptions): Engine {
  return new Engine(options);
}
