import type { Logger } from 'pino';
import type { InspectionEvent, Observer } from 'xstate';
import type {
  ArrayManager,
  CalloutRunner,
  Clock,
  ComputeAdapter,
  DocumentStore,
  Environment,
  ResolvedSettings,
  RunOwnership,
  RunReport,
  RunResult,
  SharedSlots,
  StepId,
  StorageAdapter,
  WorkflowName,
} from '@drctl/domain';
import type { PhaseName, WorkflowMode } from '../machines/policy.js';
import type { GatewayHooks } from './storage-gateway.js';

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
