import { initialTransition, transition, type SnapshotFrom } from 'xstate';
import { DrError } from '@drctl/domain';
import {
  vmRecoveryMachine,
  vmStage,
  type VmRecoveryEvent,
  type VmRecoveryInput,
  type VmStage,
} from '../../machines/vm-recovery-machine.js';

type VmRecoverySnapshot = SnapshotFrom<typeof vmRecoveryMachine>;

/** A transition as XState computed it: the snapshot it leads to and the actions it asks for. */
interface Move {
  next: VmRecoverySnapshot;
  actions: readonly string[];
}

/** What the engine does when the machine asks for one of its actions, for one VM. */
export type VmRecoveryActions = Readonly<Record<string, () => void>>;

/**
 * The vm-recovery machine for thousands of VMs without an actor each. XState's transitions are
 * pure: the next snapshot and the actions to run follow from the snapshot and the event alone.
 * VMs whose input differs only in their name share their snapshots (the name is the engine's, not
 * the machine's, to use), so each distinct transition is computed once — by XState, from the
 * machine as it is — and replayed for every VM that takes it. A transition whose event carries a
 * message (a failure) is computed for its VM alone. An actor per VM cost more than the recovery
 * it orchestrates: its system, mailbox and a fresh snapshot per transition, ~70 KB of garbage.
 */
export class VmRecoveryRuns {
  /** The initial move per input (without the VM's name). */
  private readonly initial = new Map<string, Move>();
  /** Moves already computed from a snapshot, per event. */
  private readonly moves = new WeakMap<VmRecoverySnapshot, Map<string, Move>>();

  constructor(private readonly machine: typeof vmRecoveryMachine = vmRecoveryMachine) {}

  /** Starts one VM's recovery; `actions` carries out the machine's actions for this VM. */
  start(input: VmRecoveryInput, actions: VmRecoveryActions): VmRecoveryRun {
    const shared: VmRecoveryInput = { ...input, vm: '' };
    const key = JSON.stringify(shared);
    let move = this.initial.get(key);
    if (!move) {
      const [next, executable] = initialTransition(this.machine, shared);
      move = { next, actions: executable.map((a) => a.type) };
      this.initial.set(key, move);
    }
    return new VmRecoveryRun(this, move, actions);
  }

  /** @internal The move from `snapshot` on `event`, computed by XState at most once when shared. */
  move(snapshot: VmRecoverySnapshot, event: VmRecoveryEvent): Move {
    if ('message' in event) return this.compute(snapshot, event);
    const key = eventKey(event);
    let known = this.moves.get(snapshot);
    if (!known) {
      known = new Map();
      this.moves.set(snapshot, known);
    }
    let move = known.get(key);
    if (!move) {
      move = this.compute(snapshot, event);
      known.set(key, move);
    }
    return move;
  }

  private compute(snapshot: VmRecoverySnapshot, event: VmRecoveryEvent): Move {
    const [next, executable] = transition(this.machine, snapshot, event);
    return { next, actions: executable.map((a) => a.type) };
  }
}

/** What tells events apart for sharing a move: the type alone for most, whose only field it is. */
function eventKey(event: VmRecoveryEvent): string {
  for (const field in event) if (field !== 'type') return JSON.stringify(event);
  return event.type;
}

/** One VM's recovery: where the machine stands for it, and the events the engine sends it. */
export class VmRecoveryRun {
  private snapshot: VmRecoverySnapshot;

  constructor(
    private readonly runs: VmRecoveryRuns,
    first: Move,
    private readonly handlers: VmRecoveryActions,
  ) {
    this.snapshot = first.next;
    this.perform(first.actions);
  }

  /** The work the machine asks for next; undefined once it is final. */
  get stage(): VmStage | undefined {
    return vmStage(this.snapshot.value);
  }

  get active(): boolean {
    return this.snapshot.status === 'active';
  }

  /** The final state's name (`recovered`, `left-powered-off`, `failed`, `cancelled`). */
  get value(): string {
    return String(this.snapshot.value);
  }

  /** Why the VM failed, when it did. */
  get message(): string | null {
    return this.snapshot.context.message;
  }

  /** As an actor would: an event to a finished recovery is ignored. */
  send(event: VmRecoveryEvent): void {
    if (!this.active) return;
    const move = this.runs.move(this.snapshot, event);
    this.snapshot = move.next;
    this.perform(move.actions);
  }

  private perform(actions: readonly string[]): void {
    for (const type of actions) {
      const handler = this.handlers[type];
      if (!handler)
        throw new DrError('DR_INTERNAL', `The vm-recovery machine asked for action ${type}, which the engine lacks.`);
      handler();
    }
  }
}
