import type { AnyStateMachine, EventObject } from 'xstate';
import { getStateNodes } from 'xstate/graph';

/** Ids of every actor a machine invokes, read from its state nodes. */
export function invokeIds(machine: AnyStateMachine): string[] {
  return getStateNodes(machine.root).flatMap((n) => n.invoke.map((i) => i.id));
}

/** The completion events of an invoked actor, as XState delivers them to the machine. */
export function done(id: string, output: unknown): EventObject {
  return { type: `xstate.done.actor.${id}`, output, actorId: id } as EventObject;
}

export function failed(id: string): EventObject {
  return { type: `xstate.error.actor.${id}`, error: 'boom', actorId: id } as EventObject;
}

/** The atomic and final states of a machine (what a run can actually be "in"). */
export function leafStateIds(machine: AnyStateMachine): string[] {
  return getStateNodes(machine.root)
    .filter((n) => n.type === 'atomic' || n.type === 'final')
    .map((n) => n.id);
}

/** The ids of the atomic/final states a snapshot is in. */
export function activeLeafIds(snapshot: { _nodes: Array<{ id: string; type: string }> }): string[] {
  return snapshot._nodes.filter((n) => n.type === 'atomic' || n.type === 'final').map((n) => n.id);
}
