import type { InspectionEvent } from 'xstate';
import { WORKFLOWS, type WorkflowName } from '@drctl/domain';
import { vmRecoveryMachine, type EngineEvent } from '@drctl/workflows';
import { workflowMachine } from '../machines.js';
import { machineGraph, type MachineGraph } from '../graph/machine-graph.js';
import {
  actorFrame,
  DEFAULT_DEPTH_LIMIT,
  eventFrame,
  machineDefinition,
  snapshotFrame,
  type ActorFrame,
  type InspectedSnapshot,
  type InspectionFrame,
  type SnapshotFrame,
} from './frames.js';
import { finalStateOf, initialStateId, lastStepOf, stateValueOf, stepStateId } from './run-state.js';

export interface RunInspectionOptions {
  /** Receives every frame as it is made (e.g. to broadcast on the WebSocket). */
  send?: (frame: InspectionFrame) => void;
  /** @default 64 */
  serializationDepthLimit?: number;
  /** Time stamps of frames made from XState's inspection events (those carry none). @default Date.now */
  now?: () => number;
}

/** What the inspection knows about one run. */
export interface RunTrack {
  runId: string;
  workflow: WorkflowName;
  /** Id of the state the run's machine is in (an atomic step state, or a final state). */
  activeState: string;
  status: 'active' | 'done';
  /** Status per `<phase>/<step>`, as the machine's context keeps it. */
  steps: Record<string, string>;
}

interface Track extends RunTrack {
  graph: MachineGraph;
  mode: string;
  rolledBack: boolean;
  reachedEnd: boolean;
  lastEvent: { type: string; [key: string]: unknown };
  /** The run's workflow actor reports to {@link RunInspection.inspect}: its own snapshots drive the state. */
  live: boolean;
}

/** One actor's frames kept for late subscribers: how it was created and its latest snapshot. */
interface Kept {
  actor: ActorFrame;
  latest?: SnapshotFrame;
}

const GRAPHS = new Map<string, MachineGraph>();
const graphOf = (workflow: WorkflowName) => {
  let graph = GRAPHS.get(workflow);
  if (!graph) GRAPHS.set(workflow, (graph = machineGraph(workflowMachine(workflow))));
  return graph;
};

const VM_STATES: Partial<Record<EngineEvent['type'], { value: unknown; status: 'active' | 'done' }>> = {
  'vm-powering-on': { value: { booting: 'powering-on' }, status: 'active' },
  'vm-powered-on': { value: { booting: 'waiting-for-tools' }, status: 'active' },
  'vm-recovered': { value: 'recovered', status: 'done' },
  'vm-failed': { value: 'failed', status: 'done' },
};

/** The state id an XState state value stands for (drctl's machines have no parallel states). */
function stateIdOfValue(machineId: string, value: unknown): string {
  let id = machineId;
  let v = value;
  while (v !== null && typeof v === 'object') {
    const [key, inner] = Object.entries(v as Record<string, unknown>)[0] ?? [];
    if (key === undefined) break;
    id += `.${key}`;
    v = inner;
  }
  return typeof v === 'string' ? `${id}.${v}` : id;
}

/** The parts of a workflow actor's snapshot the inspection reads. */
interface MachineSnapshotLike {
  status: InspectedSnapshot['status'];
  value: unknown;
  context: { steps?: Record<string, string> };
  output?: unknown;
}

function isMachineSnapshot(snapshot: unknown): snapshot is MachineSnapshotLike {
  return typeof snapshot === 'object' && snapshot !== null && 'value' in snapshot && 'context' in snapshot;
}

const isWorkflow = (id: string): id is WorkflowName => (WORKFLOWS as readonly string[]).includes(id);

/**
 * Live inspection of runs, in the `@statelyai/inspect` frame protocol: each run appears as its
 * workflow actor, each powered-on VM as a child `vm-recovery` actor (from the engine's VM
 * events: VM actors are not inspected, there may be thousands).
 *
 * Given to the engine as its XState `inspect` observer ({@link RunInspection.inspect}), a run's
 * state and snapshots are the workflow actor's own, as XState reports them. A run whose actor it
 * does not hear (an engine without the observer) is followed from the engine's typed events
 * instead: its current step's state (step-started, step-finished), then the final state its
 * result corresponds to.
 */
export class RunInspection {
  private readonly tracks = new Map<string, Track>();
  private readonly kept = new Map<string, Kept>();
  private readonly depthLimit: number;
  private readonly workflowDefinitions = new Map<string, string>();
  private vmDefinition: string | undefined;
  /** Workflow actors XState reported, by session id: the run each one drives (the actor's id). */
  private readonly liveSessions = new Map<string, string>();
  private readonly now: () => number;

  constructor(private readonly options: RunInspectionOptions = {}) {
    this.depthLimit = options.serializationDepthLimit ?? DEFAULT_DEPTH_LIMIT;
    this.now = options.now ?? Date.now;
  }

  /**
   * The engine's XState `inspect` observer (`EngineOptions.inspect`). It hears the root workflow
   * actors (whose id is the run id) and passes over their step actors: a run's active state is
   * the state its actor's snapshot is in.
   */
  readonly inspect = (event: InspectionEvent): void => {
    // XState's inspection events type their actor loosely; a root workflow actor has these.
    const ref = event.actorRef as typeof event.actorRef & { id?: string; logic?: { id?: string } };
    if (event.rootId !== ref.sessionId) return; // a step actor inside a run
    if (event.type === '@xstate.actor') {
      const machineId = ref.logic?.id;
      if (machineId !== undefined && isWorkflow(machineId) && ref.id) this.liveSessions.set(ref.sessionId, ref.id);
      return;
    }
    const runId = this.liveSessions.get(ref.sessionId);
    if (runId === undefined) return;
    const t = this.tracks.get(runId);
    if (!t) return;
    t.live = true;
    const at = this.now();
    if (event.type === '@xstate.event') {
      this.emit(eventFrame({ sessionId: runId, rootId: runId, event: event.event, at }));
      return;
    }
    if (event.type !== '@xstate.snapshot' || !isMachineSnapshot(event.snapshot)) return;
    const snap = event.snapshot;
    t.activeState = stateIdOfValue(t.graph.id, snap.value);
    t.steps = { ...(snap.context.steps ?? {}) };
    t.status = snap.status === 'active' ? 'active' : 'done';
    if (snap.status !== 'active') this.liveSessions.delete(ref.sessionId);
    const snapshot: InspectedSnapshot = {
      status: snap.status,
      value: snap.value,
      context: snap.context,
      ...(snap.status === 'done' ? { output: snap.output } : {}),
    };
    this.emit(snapshotFrame({ sessionId: runId, rootId: runId, event: event.event, snapshot, at }));
  };

  /** Feed it every engine event (`engine.subscribe(inspection.handle)`). */
  readonly handle = (event: EngineEvent): void => {
    const at = Date.parse(event.at);
    switch (event.type) {
      case 'run-started':
        return this.started(event, at);
      case 'step-started':
        return this.stepStarted(event, at);
      case 'step-finished':
        return this.stepFinished(event, at);
      case 'run-finished':
        return this.finished(event, at);
      case 'vm-powering-on':
      case 'vm-powered-on':
      case 'vm-recovered':
      case 'vm-failed':
        return this.vm(event, at);
      default: {
        const { type, runId, at: _at, ...payload } = event;
        if (this.tracks.has(runId))
          this.emit(eventFrame({ sessionId: runId, rootId: runId, event: { type: `drctl.${type}`, ...payload }, at }));
      }
    }
  };

  run(runId: string): RunTrack | undefined {
    const t = this.tracks.get(runId);
    return t
      ? { runId: t.runId, workflow: t.workflow, activeState: t.activeState, status: t.status, steps: { ...t.steps } }
      : undefined;
  }

  /** Frames that bring a late subscriber up to date: each actor's creation and latest snapshot. */
  frames(runId?: string): InspectionFrame[] {
    const out: InspectionFrame[] = [];
    for (const k of this.kept.values()) {
      if (runId !== undefined && k.actor.rootId !== runId) continue;
      out.push(k.actor);
      if (k.latest) out.push(k.latest);
    }
    return out;
  }

  /** Forgets a run's actors (e.g. a while after it finished), keeping memory bounded. */
  forget(runId: string): void {
    this.tracks.delete(runId);
    for (const [sessionId, k] of this.kept) if (k.actor.rootId === runId) this.kept.delete(sessionId);
  }

  private emit(frame: InspectionFrame): void {
    if (frame.type === '@xstate.actor') this.kept.set(frame.sessionId, { actor: frame });
    else if (frame.type === '@xstate.snapshot') {
      const k = this.kept.get(frame.sessionId);
      if (k) k.latest = frame;
    }
    this.options.send?.(frame);
  }

  private definitionOf(workflow: WorkflowName): string {
    let definition = this.workflowDefinitions.get(workflow);
    if (!definition)
      this.workflowDefinitions.set(
        workflow,
        (definition = machineDefinition(workflowMachine(workflow), this.depthLimit)),
      );
    return definition;
  }

  private snapshotOf(t: Track): InspectedSnapshot {
    const value = stateValueOf(t.graph, t.activeState);
    const context = { workflow: t.workflow, mode: t.mode, steps: t.steps };
    return t.status === 'done'
      ? { status: 'done', value, context, output: undefined }
      : { status: 'active', value, context };
  }

  private started(event: Extract<EngineEvent, { type: 'run-started' }>, at: number): void {
    const graph = graphOf(event.workflow);
    const previous = this.tracks.get(event.runId);
    const t: Track = {
      runId: event.runId,
      workflow: event.workflow,
      graph,
      mode: event.mode,
      activeState: previous?.activeState ?? initialStateId(graph),
      status: 'active',
      steps: previous?.steps ?? {},
      rolledBack: false,
      reachedEnd: false,
      lastEvent: { type: 'xstate.init' },
      live: false,
    };
    this.tracks.set(event.runId, t);
    this.emit(
      actorFrame({
        sessionId: event.runId,
        rootId: event.runId,
        name: event.workflow,
        definition: this.definitionOf(event.workflow),
        snapshot: this.snapshotOf(t),
        at,
      }),
    );
  }

  private moveTo(t: Track, stateId: string | undefined, at: number): void {
    if (t.live || !stateId || stateId === t.activeState) return;
    t.activeState = stateId;
    this.emit(
      snapshotFrame({ sessionId: t.runId, rootId: t.runId, event: t.lastEvent, snapshot: this.snapshotOf(t), at }),
    );
  }

  private stepStarted(event: Extract<EngineEvent, { type: 'step-started' }>, at: number): void {
    const t = this.tracks.get(event.runId);
    if (!t) return;
    if (event.step === 'rollback-protected-site') t.rolledBack = true;
    this.moveTo(t, stepStateId(t.graph, event.phase, event.step), at);
  }

  private stepFinished(event: Extract<EngineEvent, { type: 'step-finished' }>, at: number): void {
    const t = this.tracks.get(event.runId);
    if (!t || t.live) return;
    // A skipped step finishes without starting: the machine was in its state all the same.
    this.moveTo(t, stepStateId(t.graph, event.phase, event.step), at);
    const key = `${event.phase}/${event.step}`;
    t.steps = { ...t.steps, [key]: event.status };
    const last = lastStepOf(t.workflow);
    if (event.phase === last.phase && event.step === last.step) t.reachedEnd = true;
    t.lastEvent = { type: `xstate.done.actor.${key}`, output: { status: event.status } };
    this.emit(eventFrame({ sessionId: t.runId, rootId: t.runId, event: t.lastEvent, at }));
    this.emit(
      snapshotFrame({ sessionId: t.runId, rootId: t.runId, event: t.lastEvent, snapshot: this.snapshotOf(t), at }),
    );
  }

  private finished(event: Extract<EngineEvent, { type: 'run-finished' }>, at: number): void {
    const t = this.tracks.get(event.runId);
    if (!t || t.live) return;
    t.status = 'done';
    const final = finalStateOf({
      workflow: t.workflow,
      result: event.result,
      rolledBack: t.rolledBack,
      reachedEnd: t.reachedEnd,
    });
    t.activeState = `${t.graph.id}.${final}`;
    this.emit(
      snapshotFrame({
        sessionId: t.runId,
        rootId: t.runId,
        event: { type: 'drctl.run-finished', result: event.result },
        snapshot: this.snapshotOf(t),
        at,
      }),
    );
  }

  private vm(
    event: Extract<EngineEvent, { type: 'vm-powering-on' | 'vm-powered-on' | 'vm-recovered' | 'vm-failed' }>,
    at: number,
  ): void {
    if (!this.tracks.has(event.runId)) return;
    const state = VM_STATES[event.type]!;
    const sessionId = `${event.runId}/vm/${event.vm}`;
    const context = { vm: event.vm, host: event.host, message: event.type === 'vm-failed' ? event.message : null };
    const snapshot: InspectedSnapshot = { status: state.status, value: state.value, context };
    if (!this.kept.has(sessionId)) {
      this.vmDefinition ??= machineDefinition(vmRecoveryMachine, this.depthLimit);
      this.emit(
        actorFrame({
          sessionId,
          rootId: event.runId,
          parentId: event.runId,
          name: 'vm-recovery',
          definition: this.vmDefinition,
          snapshot,
          at,
        }),
      );
      return;
    }
    const { type, runId: _r, at: _a, ...payload } = event;
    const e = { type: `drctl.${type}`, ...payload };
    this.emit(eventFrame({ sessionId, rootId: event.runId, event: e, at }));
    this.emit(snapshotFrame({ sessionId, rootId: event.runId, event: e, snapshot, at }));
  }
}
