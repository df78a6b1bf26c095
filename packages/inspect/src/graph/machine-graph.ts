import type { AnyStateMachine } from 'xstate';

/** A state of a machine, as exported. */
export interface GraphNode {
  /** Full state id, e.g. `failback.reprotect.sync-storage` (the root's id is the machine id). */
  id: string;
  /** The state's own key, e.g. `sync-storage`. */
  key: string;
  /** Id of the parent state; null for the root. */
  parent: string | null;
  type: 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  /** Id of the child entered first (compound states), else null. */
  initial: string | null;
  tags: string[];
  /** Actors the state invokes while active; their completions are `xstate.done.actor.<id>` events. */
  invoke: Array<{ id: string; src: string }>;
  entry: string[];
  exit: string[];
}

/** A transition, one per target. */
export interface GraphEdge {
  source: string;
  /** Target state id; null for a targetless transition (actions only, the state stays). */
  target: string | null;
  /** Event type; '' for an eventless (`always`) transition. */
  event: string;
  /** Guard name, when the transition is guarded. */
  guard: string | null;
  actions: string[];
  /** Whether the transition re-enters its source's descendants (XState's `reenter`). */
  reenter: boolean;
}

export interface MachineGraph {
  /** The machine's id (its root state id). */
  id: string;
  nodes: GraphNode[];
  /** In the machine's priority order: for one source and event, the first enabled edge is taken. */
  edges: GraphEdge[];
}

/** XState's state node, read only through the fields the export needs. */
interface StateNodeLike {
  id: string;
  key: string;
  type: GraphNode['type'];
  parent?: StateNodeLike;
  states: Record<string, StateNodeLike>;
  initial?: { target: StateNodeLike[] };
  tags: string[];
  invoke: Array<{ id: string; src: unknown }>;
  entry: unknown[];
  exit: unknown[];
  transitions: Map<string, TransitionLike[]>;
  always?: TransitionLike[];
}

interface TransitionLike {
  eventType: string;
  target?: StateNodeLike[] | undefined;
  guard?: unknown;
  actions: unknown[];
  reenter?: boolean;
}

/**
 * Names an action or guard reference: a string, `{ type }`, a function's name, or a guard
 * combinator written out (`and(a, b)`, `or(a, b)`, `not(a)`).
 */
function referenceName(ref: unknown): string {
  if (typeof ref === 'string') return ref;
  if (typeof ref === 'function') {
    const combined = (ref as { guards?: unknown[] }).guards;
    if (Array.isArray(combined) && ['and', 'or', 'not'].includes(ref.name))
      return `${ref.name}(${combined.map(referenceName).join(', ')})`;
    return ref.name || 'inline';
  }
  if (ref && typeof ref === 'object' && 'type' in ref && typeof ref.type === 'string')
    return (ref as { type: string }).type;
  return 'inline';
}

function edgesOf(node: StateNodeLike, transition: TransitionLike): GraphEdge[] {
  const base = {
    source: node.id,
    event: transition.eventType,
    guard: transition.guard === undefined ? null : referenceName(transition.guard),
    actions: transition.actions.map(referenceName),
    reenter: transition.reenter === true,
  };
  const targets = transition.target ?? [];
  if (targets.length === 0) return [{ ...base, target: null }];
  return targets.map((t) => ({ ...base, target: t.id }));
}

/**
 * The graph of a machine, read from its definition (the state nodes XState builds from the
 * config): every state with its type, tags and invocations, and every transition with its event,
 * guard and actions — `on`, `onDone`/`onError` of invocations and states, and `always`.
 */
export function machineGraph(machine: AnyStateMachine): MachineGraph {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const visit = (node: StateNodeLike) => {
    nodes.push({
      id: node.id,
      key: node.key,
      parent: node.parent ? node.parent.id : null,
      type: node.type,
      initial: node.type === 'compound' && node.initial?.target[0] ? node.initial.target[0].id : null,
      tags: [...node.tags],
      invoke: node.invoke.map((i) => ({ id: i.id, src: referenceName(i.src) })),
      entry: node.entry.map(referenceName),
      exit: node.exit.map(referenceName),
    });
    for (const transitions of node.transitions.values()) {
      for (const transition of transitions) edges.push(...edgesOf(node, transition));
    }
    for (const transition of node.always ?? []) edges.push(...edgesOf(node, transition));
    for (const child of Object.values(node.states)) visit(child);
  };
  visit(machine.root as unknown as StateNodeLike);
  return { id: machine.id, nodes, edges };
}
