import { randomUUID } from 'node:crypto';
import { pino, type Logger } from 'pino';
import { createActor, fromPromise, type InspectionEvent, type Observer, type Snapshot } from 'xstate';
import {
  DrError,
  onAbort,
  resolvePlanVms,
  resolveSettings,
  SystemClock,
  type ArrayManager,
  type CalloutRunner,
  type Clock,
  type ComputeAdapter,
  type DocumentStore,
  type Environment,
  type ResolvedSettings,
  type RunOwnership,
  type RunReport,
  type RunResult,
  type SharedSlots,
  type StepId,
  type StorageAdapter,
  type WorkflowName,
  writeTogether,
} from '@drctl/domain';
import { SlotPool, type SlotLimits } from '@drctl/scheduler';
import { refusal, type RunEnding } from '../machines/plan-lifecycle-machine.js';
import type { PhaseName, StepOutcome, WorkflowMode } from '../machines/policy.js';
import { stepJudge } from '../machines/step-judge.js';
import {
  WORKFLOW_MACHINES,
  type StepInput,
  type WorkflowContext,
  type WorkflowOutcome,
} from '../machines/workflow-machine.js';
import { EventHub, type EngineEventListener } from './events.js';
import { checkForcedRecovery } from './forced-recovery.js';
import { failedGroupNotes, failedProtectionGroups } from './group-outcomes.js';
import { Journal } from './journal.js';
import { familyOf, loadPlan, planKey, planState, transition, type PlanRecord } from './plan-records.js';
import { PromptBroker, type WaitingPrompt } from './prompts.js';
import { ReportBuilder, reportKey } from './report-builder.js';
import type { RunContext } from './run-context.js';
import {
  AdapterRegistry,
  commandTimeout,
  discoverDevices,
  modeLabel,
  planDatastoreList,
  planDeviceMap,
} from './run-setup.js';
import { claimRun, takeoverNote } from './run-ownership.js';
import { driveStep } from './step-driver.js';
import { slotKey } from './steps/vm-steps.js';
import { SharedBootSlots } from './shared-boot-slots.js';
import { StorageGateway, type GatewayHooks } from './storage-gateway.js';

/** What an engine is built from: the environment, the adapters behind the ports, a clock and a store. */
export interface EngineOptions {
  /** The validated environment (sites, arrays, VMs, protection groups, plans). */
  environment: Environment;
  /** Effective settings; by default the environment file's `settings` over SRM's defaults. */
  settings?: ResolvedSettings;
  /** The vCenters of both sites, behind the compute port. */
  compute: ComputeAdapter;
  /** Builds the storage adapter of an array manager (called once per manager). */
  storage: (manager: ArrayManager) => StorageAdapter;
  /** Runs command and webhook callouts (prompts are the engine's own). */
  callouts: CalloutRunner;
  /** @default SystemClock */
  clock?: Clock;
  /** Where plans' lifecycles, runs, snapshots, journals and reports are kept. */
  store: DocumentStore;
  /** @default a silent logger */
  logger?: Logger;
  /** Persists state the host keeps beside the store (the simulated world) after each effect. */
  checkpoint?: () => Promise<void>;
  /** Answers every prompt with this text, attributed to `by` (CLI `--answer`). */
  autoAnswer?: { answer: string; by: string };
  /**
   * XState inspection observer given to every workflow actor the engine creates, e.g.
   * `@statelyai/inspect`'s. VM actors are left out: thousands of them would drown it.
   */
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  /**
   * Run ownership across engines sharing the store (the PostgreSQL store): each run is driven
   * under a lease, its writes and commands fenced by the lease's token. Unset: one engine.
   */
  ownership?: RunOwnership;
  /**
   * Called before a run starts or resumes, under its plan's lock: the host takes in what other
   * processes sharing the store changed meanwhile (the simulated world), so the run acts on it.
   */
  beforeRun?: () => Promise<void>;
  /** `StartOptions.invocation` of every run this engine starts unless the start names its own. */
  invocation?: Record<string, unknown>;
  /** Called once a finished step is durably persisted (used to rehearse crashes). */
  onStepPersisted?: (info: { runId: string; plan: string; phase: PhaseName; step: StepId; status: string }) => void;
  /**
   * Called once a state-changing storage command is journalled as started, before it is sent
   * (used to rehearse a crash between a journal entry and the command it announces).
   */
  onCommandAnnounced?: GatewayHooks['onCommandAnnounced'];
  /**
   * storage.maxConcurrentCommandCnt and the per-host/per-cluster boot limits counted across
   * every engine (or process) sharing the store, not only this one's runs. Unset: this engine only.
   */
  sharedSlots?: SharedSlots;
}

/** A run to start: which plan, which workflow, and its mode (forced recovery, forced cleanup…). */
export interface StartOptions extends WorkflowMode {
  /** The recovery plan's name, as in the environment file. */
  plan: string;
  workflow: WorkflowName;
  /**
   * How the host built the world this run acts on (simulation, storage kind, seed, settings,
   * faults…), opaque to the engine. It is written with the run before the run is recorded on its
   * plan, so whoever resumes or cancels the run rebuilds the same world (`runInvocation`).
   */
  invocation?: Record<string, unknown>;
}

/** A started (or resumed) run. */
export interface RunHandle {
  /** Stable id: names the run in the store, reports, events and the CLI. */
  runId: string;
  plan: string;
  workflow: WorkflowName;
  /** Resolves with the final report when the run ends (whatever its result). */
  done: Promise<RunReport>;
}

/** Where a plan stands: its lifecycle state, its direction and its runs. */
export interface PlanStatus {
  plan: string;
  /** The plan lifecycle's state (`ready`, `test-complete`, `recovery-incomplete`, …). */
  state: string;
  /** Whether a reprotect has turned the plan around (the recovery site is now protected). */
  reversed: boolean;
  /** The site protected in the plan's current direction. */
  protectedSite: string;
  /** The site recovered to in the plan's current direction. */
  recoverySite: string;
  /** The run in progress (or interrupted), if any. */
  activeRunId: string | null;
  lastRunId: string | null;
  /** The last run's result, when it has a report. */
  lastResult?: RunResult;
}

interface RunMeta {
  runId: string;
  plan: string;
  workflow: WorkflowName;
  mode: WorkflowMode;
  operationKey: string;
  protectedSite: string;
  recoverySite: string;
  /** Notes decided when the run was started (a forced recovery's reason), copied into its report. */
  startNotes?: string[];
  invocation?: Record<string, unknown>;
}

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

const metaKey = (runId: string) => `runs/${runId}/meta`;

/** How the host started a run (`StartOptions.invocation`), or undefined for an unknown run. */
export async function runInvocation(
  store: DocumentStore,
  runId: string,
): Promise<{ invocation: Record<string, unknown> | undefined } | undefined> {
  const meta = await store.read<RunMeta>(metaKey(runId));
  return meta ? { invocation: meta.invocation } : undefined;
}
const snapshotKey = (runId: string) => `runs/${runId}/snapshot`;
const journalKey = (operationKey: string) => `operations/${operationKey}/journal`;

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
  private readonly adapters: AdapterRegistry;
  private readonly active = new Map<string, ActiveRun>();

  constructor(private readonly options: EngineOptions) {
    const env = options.environment;
    this.settings =
      options.settings ?? resolveSettings([{ origin: 'environment', pathPrefix: 'settings', values: env.settings }]);
    this.clock = options.clock ?? new SystemClock();
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.gateway = new StorageGateway(this.settings.values['storage.maxConcurrentCommandCnt'], this.clock, {
      ...(options.onCommandAnnounced ? { onCommandAnnounced: options.onCommandAnnounced } : {}),
      ...(options.sharedSlots ? { slots: options.sharedSlots } : {}),
    });
    this.pool = options.sharedSlots
      ? new SharedBootSlots(this.slotLimits(), options.sharedSlots)
      : new SlotPool(this.slotLimits());
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
    return this.options.store.read<RunReport>(reportKey(runId));
  }

  /** Every run in the store, newest first (by start time). */
  async runs(plan?: string): Promise<RunReport[]> {
    const keys = await this.options.store.list('runs/');
    const reports = await Promise.all(keys.map((k) => this.options.store.read<RunReport>(`${k}/report`)));
    return reports
      .filter((r): r is RunReport => r !== undefined && (plan === undefined || r.plan === plan))
      .sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }

  /**
   * Runs whose process died: the store says running, but no engine holds them. Marks their
   * report `interrupted` (they resume with `resume`). Needs the store's cross-process lock to
   * tell a dead owner from a live one in another process.
   */
  async findInterrupted(): Promise<string[]> {
    const found: string[] = [];
    for (const plan of this.options.environment.plans) {
      const { lifecycle } = await loadPlan(this.options.store, plan.name);
      const runId = lifecycle.context.activeRunId;
      if (!runId || this.active.has(runId)) continue;
      const release = await this.tryLock(`plan-${plan.name}`);
      if (release === null) continue; // another live process owns it
      try {
        const report = await this.report(runId);
        if (report && (report.result === 'running' || report.result === 'interrupted')) {
          if (report.result === 'running') {
            report.result = 'interrupted';
            report.notes.push(`interrupted: the process running it stopped; resume with: drctl resume ${runId}`);
            await this.options.store.write(reportKey(runId), report);
          }
          found.push(runId);
        }
      } finally {
        await release?.();
      }
    }
    await this.closeOrphans();
    return found;
  }

  private async markNeverStarted(report: RunReport): Promise<void> {
    report.result = 'cancelled';
    report.finishedAt = new Date(this.clock.now()).toISOString();
    report.notes.push('never started: the process stopped before the run was recorded on its plan; nothing was done');
    await this.options.store.write(reportKey(report.runId), report);
  }

  /**
   * Runs announced (meta and report written) whose process died before their plan recorded them:
   * nothing ran, and no plan waits on them. Their report says `cancelled` with the reason, under
   * the plan's lock so a run being started by another process right now is left alone.
   */
  private async closeOrphans(): Promise<void> {
    const recorded = new Set<string>();
    const records = new Map<string, PlanRecord>();
    for (const plan of this.options.environment.plans) {
      const { record } = await loadPlan(this.options.store, plan.name);
      records.set(plan.name, record);
      for (const id of record.runs) recorded.add(id);
    }
    const runIds = (await this.options.store.list('runs/')).map((k) => k.slice('runs/'.length));
    for (const runId of runIds) {
      if (recorded.has(runId) || this.active.has(runId)) continue;
      const report = await this.report(runId).catch(() => undefined);
      if (!report || (report.result !== 'running' && report.result !== 'interrupted')) continue;
      if (!records.has(report.plan)) continue; // a plan no longer in the environment: not ours to judge
      const release = await this.tryLock(`plan-${report.plan}`);
      if (release === null) continue;
      try {
        const { record } = await loadPlan(this.options.store, report.plan);
        if (!record.runs.includes(runId)) await this.markNeverStarted(report);
      } finally {
        await release?.();
      }
    }
  }

  private async tryLock(name: string): Promise<(() => Promise<void>) | undefined | null> {
    if (!this.options.store.lock) return undefined;
    try {
      return await this.options.store.lock(name);
    } catch (error) {
      if ((error as DrError).code === 'DR_OPERATION_REFUSED') return null;
      throw error;
    }
  }

  /** Starts a workflow on a plan. Refuses, with the reason, what the plan's state does not allow. */
  async start(options: StartOptions): Promise<RunHandle> {
    const plan = this.plan(options.plan);
    const mode: WorkflowMode = {
      ...(options.force !== undefined ? { force: options.force } : {}),
      ...(options.forcedRecovery !== undefined ? { forcedRecovery: options.forcedRecovery } : {}),
      ...(options.forcedRecoveryOverride !== undefined
        ? { forcedRecoveryOverride: options.forcedRecoveryOverride }
        : {}),
      ...(options.syncData !== undefined ? { syncData: options.syncData } : {}),
    };
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

      // Run ids name a file and a shell argument: the plan name is reduced to a slug.
      const slug =
        plan.name
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, '-')
          .replace(/^-|-$/g, '') || 'plan';
      const runId = `${new Date(this.clock.now())
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d+Z$/, 'Z')}-${slug}-${options.workflow}-${randomUUID().slice(0, 6)}`;
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
        this.newReport(meta, devices.filter((d) => d.liveVolume).length),
      );
      transition(record, { type: 'START', workflow: options.workflow, runId });
      record.runs.push(runId);
      await this.options.store.write(planKey(plan.name), record);
      return await this.launch(meta, undefined, release, false);
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
        if (report) await this.markNeverStarted(report);
        throw new DrError(
          'DR_OPERATION_REFUSED',
          `Run ${runId} never started: nothing was done, so nothing is left to resume.`,
          {
            issues: [{ path: 'runId', message: 'not recorded on its plan' }],
          },
        );
      }
      await this.options.beforeRun?.();
      const snapshot = await this.options.store.read<Snapshot<unknown>>(snapshotKey(runId));
      return await this.launch(
        meta,
        snapshot,
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

  /** A run's report as it stands before its first step. */
  private newReport(meta: RunMeta, liveVolumes: number): RunReport {
    const settings = this.settings.values;
    return {
      runId: meta.runId,
      plan: meta.plan,
      workflow: meta.workflow,
      mode: modeLabel(meta.workflow, meta.mode),
      result: 'running',
      startedAt: new Date(this.clock.now()).toISOString(),
      protectedSite: meta.protectedSite,
      recoverySite: meta.recoverySite,
      settings: {
        ...settings,
        appliedCommandTimeoutSeconds: commandTimeout(
          settings,
          liveVolumes,
          this.settings.origins['storage.commandTimeout'],
        ).seconds,
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

  private async launch(
    meta: RunMeta,
    snapshot: Snapshot<unknown> | undefined,
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
    const now = () => new Date(this.clock.now()).toISOString();
    // Written when the run was announced (start); older state folders may lack it.
    const existing = await this.report(meta.runId);
    const report: RunReport = existing ?? this.newReport(meta, liveVolumes);
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

    // Restored to be cancelled: the step XState restarts on restore waits for the CANCEL that
    // follows at once instead of acting; the rollback step, if the policy calls it, runs.
    // A run killed before its first transition has no snapshot: its first step is held the same way.
    let holdRestoredStep = cancelOnRestore !== undefined;
    const judge = stepJudge(meta.workflow, meta.mode);
    const machine = WORKFLOW_MACHINES[meta.workflow].provide({
      actors: {
        runStep: fromPromise<StepOutcome, StepInput>(({ input, signal }) => {
          if (holdRestoredStep) {
            holdRestoredStep = false;
            return new Promise<never>((_, reject) => onAbort(signal, () => reject(signal.reason)));
          }
          return driveStep(ctx, input.phase, input.step, signal, judge);
        }),
      },
    });
    // The actor's id is the run id: an inspection observer tells runs apart by it.
    const options = { id: meta.runId, input: { mode: meta.mode }, ...(this.options.inspect ? { inspect: this.options.inspect } : {}) };
    const actor = snapshot ? createActor(machine, { snapshot, ...options }) : createActor(machine, options);

    // Persist every transition, in order; then tell the host which steps are now durable.
    let persisting: Promise<void> = Promise.resolve();
    let known = new Set(Object.keys((actor.getSnapshot().context as WorkflowContext | undefined)?.steps ?? {}));
    let settle!: (report: RunReport) => void;
    let fail!: (error: unknown) => void;
    const done = new Promise<RunReport>((resolve, reject) => {
      settle = resolve;
      fail = reject;
    });
    const finish = () => {
      persisting = persisting
        .then(() =>
          this.finalize(meta, ctx, actor.getSnapshot().output!, release),
        )
        .then(settle, fail);
    };
    actor.subscribe({
      next: (snap) => {
        const persisted = actor.getPersistedSnapshot();
        const context = snap.context;
        const fresh = Object.keys(context.steps).filter((k) => !known.has(k));
        known = new Set(Object.keys(context.steps));
        // The journal entries of the step that led here land in one writeAll with the snapshot.
        const journalled = journal.takeForSnapshot();
        persisting = persisting.then(async () => {
          await writeTogether(store, [...journalled, { op: 'write', key: snapshotKey(meta.runId), value: persisted }]);
          for (const key of fresh) {
            const [phase, step] = key.split('/') as [PhaseName, StepId];
            this.options.onStepPersisted?.({
              runId: meta.runId,
              plan: meta.plan,
              phase,
              step,
              status: context.steps[key]!,
            });
          }
        });
        if (snap.status === 'done') finish();
      },
      error: (error) => {
        this.logger.error({ err: error, runId: meta.runId }, 'workflow actor failed');
        persisting = persisting.then(() => fail(error));
      },
    });
    // The step the actor is in, as `<phase>/<step>` (the id of the step actor it invokes).
    const currentStepKey = () =>
      Object.keys((actor.getSnapshot() as unknown as { children: Record<string, unknown> }).children ?? {})[0];
    const untouched = () => {
      const key = currentStepKey();
      return key !== undefined && !journal.sentUnder(key);
    };
    // Another engine took the run over: stop driving it here at once, finish nothing, write nothing.
    claim.onLost((error) => {
      this.logger.warn({ runId: meta.runId, err: error }, 'run lease lost; another engine owns the run now');
      this.active.delete(meta.runId);
      actor.stop();
      void release?.().catch(() => undefined);
      fail(error);
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
    if (actor.getSnapshot().status === 'done') finish();
    return { runId: meta.runId, plan: meta.plan, workflow: meta.workflow, done };
  }

  private async finalize(
    meta: RunMeta,
    ctx: RunContext,
    outcome: WorkflowOutcome,
    release: (() => Promise<void>) | undefined,
  ): Promise<RunReport> {
    const report = ctx.report.report;
    await ctx.journal.flush();
    const stepErrors = report.steps.some((s) => s.status === 'error') || report.vms.some((v) => v.status === 'error');
    const stepWarnings =
      report.steps.some((s) => s.status === 'warning') || report.vms.some((v) => v.status === 'warning');
    // The chart's final state says how the run ended; the report's steps say how well.
    const ending: RunEnding = outcome.ending;
    let result: RunResult;
    switch (outcome.final) {
      case 'done':
        result = stepErrors ? 'errors' : stepWarnings ? 'warnings' : 'success';
        break;
      case 'stopped':
        result = meta.workflow === 'test' ? 'errors' : 'incomplete';
        if (outcome.failure) report.notes.push(`stopped by an internal failure: ${outcome.failure}`);
        break;
      case 'rolled-back':
        result = outcome.cancelled ? 'cancelled' : 'errors';
        report.notes.push('planned migration stopped before the storage steps; protected VMs were powered on again');
        break;
      default:
        result = 'cancelled';
    }
    // A step still marked running did not finish in this run (cancelled, or stopped elsewhere).
    for (const step of report.steps) {
      if (step.status !== 'running') continue;
      step.status = 'cancelled';
      step.finishedAt = new Date(this.clock.now()).toISOString();
      step.messages.push('did not finish before the run ended');
    }
    const cancelReason = this.active.get(meta.runId)?.cancelReason;
    if (outcome.cancelled && cancelReason) report.notes.push(`cancelled: ${cancelReason}`);
    // Disaster recovery: protected-site steps that failed or were skipped must run again later.
    const pendingSteps = (['shutdown-protected-vms', 'prepare-protected-storage'] as const).filter((s) =>
      ['error', 'skipped-forced'].includes(ctx.journal.stepStatus(`disaster-recovery/${s}`) ?? ''),
    );
    const protectedSitePending =
      meta.workflow === 'disaster-recovery' && ending === 'complete' && pendingSteps.length > 0;
    if (protectedSitePending) {
      report.notes.push(
        `the protected site ${meta.protectedSite} was not shut down and prepared (${pendingSteps.join(', ')}); run disaster-recovery again when it is reachable to finish the job before reprotect`,
      );
    }
    const failedGroups = failedProtectionGroups(ctx.vms, report);
    if (failedGroups.length > 0) {
      report.failedProtectionGroups = failedGroups;
      for (const note of failedGroupNotes(failedGroups)) ctx.report.note(note);
    } else delete report.failedProtectionGroups;
    report.result = result;
    report.finishedAt = new Date(this.clock.now()).toISOString();
    await ctx.report.save();

    const runStore = this.active.get(meta.runId)?.store ?? this.options.store;
    const { record } = await loadPlan(runStore, meta.plan);
    transition(record, { type: 'RUN_ENDED', workflow: meta.workflow, ending, protectedSitePending });
    if (record.operation) {
      const family = record.operation.family;
      record.operation.open =
        family !== 'test' && (ending === 'incomplete' || ending === 'cancelled' || protectedSitePending);
    }
    await runStore.write(planKey(meta.plan), record);
    const releaseLease = this.active.get(meta.runId)?.releaseLease;
    this.active.delete(meta.runId);
    await releaseLease?.();
    await release?.();
    this.events.emit({
      type: 'run-finished',
      runId: meta.runId,
      result,
      at: report.finishedAt,
      reportKey: reportKey(meta.runId),
    });
    return report;
  }

  /** Closes adapter sessions. Runs still active keep going until they end. */
  async close(): Promise<void> {
    await this.adapters.close();
  }
}

export function createEngine(options: EngineOptions): Engine {
  return new Engine(options);
}
