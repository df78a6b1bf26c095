import { describe, expect, it } from '@jest/globals';
import { initialTransition, transition, type AnyMachineSnapshot, type AnyStateMachine, type EventObject } from 'xstate';
import { getShortestPaths, getSimplePaths } from 'xstate/graph';
import type { WorkflowName } from '@drctl/domain';
import { WORKFLOW_MACHINES, type WorkflowMode, type WorkflowOutcome } from '../../src/index.js';
import { activeLeafIds, done, failed, invokeIds, leafStateIds } from './support/events.js';

// The step order of each workflow, as the product brief's table gives it (SRM's order).
const POWER_ON = [
  'power-on-priority-1',
  'power-on-priority-2',
  'power-on-priority-3',
  'power-on-priority-4',
  'power-on-priority-5',
];
const RECOVERY = [
  'pre-sync-storage',
  'shutdown-protected-vms',
  'resume-protected-vms',
  'prepare-protected-storage',
  'sync-storage',
  'suspend-recovery-vms',
  'promote-recovery-storage',
  'rescan-hosts',
  'match-stretched-devices',
  'mount-datastores',
  ...POWER_ON,
];
const REPROTECT = ['reverse-replication', 'create-placeholders', 'cleanup-storage', 'sync-storage'];
const SPEC: Record<WorkflowName, Array<[phase: string, step: string]>> = {
  test: [
    'sync-storage',
    'suspend-recovery-vms',
    'create-test-snapshots',
    'rescan-hosts',
    'match-stretched-devices',
    'mount-datastores',
    'configure-test-networks',
    ...POWER_ON,
  ].map((s) => ['test', s]),
  cleanup: ['power-off-test-vms', 'resume-recovery-vms', 'discard-test-storage', 'rescan-hosts'].map((s) => [
    'cleanup',
    s,
  ]),
  'planned-migration': RECOVERY.map((s) => ['planned-migration', s]),
  'disaster-recovery': RECOVERY.map((s) => ['disaster-recovery', s]),
  reprotect: REPROTECT.map((s) => ['reprotect', s]),
  failback: [
    ...RECOVERY.map((s) => ['planned-migration', s] as [string, string]),
    ...REPROTECT.map((s) => ['reprotect', s] as [string, string]),
  ],
};
/** "Error or cancel before the storage steps rolls back (protected VMs powered on again)." */
const ROLLBACK_WINDOW = new Set(['pre-sync-storage', 'shutdown-protected-vms', 'resume-protected-vms']);
/** Steps that talk to the protected site (the last sync is the one before the protected storage goes read-only). */
const PROTECTED_SITE = new Set([...ROLLBACK_WINDOW, 'prepare-protected-storage', 'sync-storage']);
const HAS_ROLLBACK = new Set<WorkflowName>(['planned-migration', 'failback']);

/**
 * The brief's error policy, written out here on its own (not read from the machines), for an
 * error of `step` in `phase`: where the run goes and the status the step keeps.
 */
function expectedOnError(
  phase: string,
  step: string,
  outcome: { status: string; confined?: boolean },
  mode: WorkflowMode,
): { goesOn: boolean; status: 'error' | 'warning'; rollsBack: boolean } {
  const stop = {
    goesOn: false,
    status: 'error' as const,
    rollsBack: phase === 'planned-migration' && ROLLBACK_WINDOW.has(step),
  };
  if (step.startsWith('power-on-priority-')) return { goesOn: true, status: 'error', rollsBack: false };
  if (phase === 'disaster-recovery') {
    if (PROTECTED_SITE.has(step)) return { goesOn: true, status: 'warning', rollsBack: false };
    return outcome.confined ? { goesOn: true, status: 'error', rollsBack: false } : stop;
  }
  const forced = mode.force === true && (phase === 'cleanup' || (phase === 'reprotect' && step === 'cleanup-storage'));
  return forced ? { goesOn: true, status: 'warning', rollsBack: false } : stop;
}

const SUCCESS = { status: 'success' };
const ERROR = { status: 'error' };
const CONFINED = { status: 'error', confined: true };

const machineOf = (w: WorkflowName) => WORKFLOW_MACHINES[w] as unknown as AnyStateMachine;
const input = { mode: {} };

/** Every event the machine can get: each step actor's success, error, confined error and failure, and CANCEL. */
function allEvents(machine: AnyStateMachine): EventObject[] {
  return [
    ...invokeIds(machine).flatMap((id) => [done(id, SUCCESS), done(id, ERROR), done(id, CONFINED), failed(id)]),
    { type: 'CANCEL' },
  ];
}

/** The id of the state that runs a step (invokes `<phase>/<step>`), wherever the chart nests it. */
const stateIdOf = (machine: AnyStateMachine, phase: string, step: string) =>
  [machine.root, ...Object.values(machine.root.states)]
    .flatMap(function all(n): Array<typeof n> {
      return [n, ...Object.values(n.states).flatMap(all)];
    })
    .find((n) => n.invoke.some((i) => i.id === `${phase}/${step}`))!.id;

const leaf = (s: AnyMachineSnapshot) => activeLeafIds(s as never)[0];

describe.each(Object.keys(SPEC) as WorkflowName[])('the %s chart', (workflow) => {
  const machine = machineOf(workflow);
  // States are told apart by their value: the steps' statuses in the context would multiply them.
  const paths = getShortestPaths(machine, {
    input,
    events: allEvents(machine),
    serializeState: (s) => JSON.stringify([s.value, s.status]),
  });
  const reached = new Map<string, AnyMachineSnapshot>();
  for (const path of paths) {
    for (const id of activeLeafIds(path.state as never))
      if (!reached.has(id)) reached.set(id, path.state as AnyMachineSnapshot);
  }
  const snapshotAt = (phase: string, step: string) => reached.get(stateIdOf(machine, phase, step))!;

  it('reaches every state of the definition, and only those', () => {
    expect([...reached.keys()].sort()).toEqual(leafStateIds(machine).sort());
  });

  it('runs the steps in the brief order when every step succeeds, and ends done with its outcome', () => {
    const successOnly = invokeIds(machine).map((id) => done(id, SUCCESS));
    const [path] = getShortestPaths(machine, { input, events: successOnly, toState: (s) => s.status === 'done' });
    expect(path).toBeDefined();
    const visited = [leaf(path!.steps[0]!.state), ...path!.steps.slice(1).map((s) => leaf(s.state))];
    const expected = [...SPEC[workflow].map(([phase, step]) => stateIdOf(machine, phase, step)), `${workflow}.done`];
    expect(visited).toEqual(expected);
    expect(path!.state.output).toEqual({
      final: 'done',
      ending: 'complete',
      cancelled: false,
      stoppedAt: null,
      failure: null,
    } satisfies WorkflowOutcome);
    expect(Object.keys((path!.state.context as { steps: object }).steps)).toEqual(
      SPEC[workflow].map(([p, s]) => `${p}/${s}`),
    );
  });

  it.each(SPEC[workflow])('from %s/%s: an error, a failure and a cancel end where the policy says', (phase, step) => {
    const snapshot = snapshotAt(phase, step);
    const key = `${phase}/${step}`;
    const index = SPEC[workflow].findIndex(([p, s]) => p === phase && s === step);
    const following = SPEC[workflow][index + 1];
    const next = following ? stateIdOf(machine, following[0], following[1]) : `${workflow}.done`;
    const inWindow = HAS_ROLLBACK.has(workflow) && phase === 'planned-migration' && ROLLBACK_WINDOW.has(step);
    const stopAt = inWindow ? `${workflow}.rollback-protected-site` : `${workflow}.stopped`;

    for (const mode of [{}, { force: true }] as WorkflowMode[]) {
      const from = machine.resolveState({ value: snapshot.value, context: { ...snapshot.context, mode } });
      for (const outcome of [ERROR, CONFINED]) {
        const expected = expectedOnError(phase, step, outcome, mode);
        const [after] = transition(machine, from, done(key, outcome));
        expect([JSON.stringify(mode), outcome, leaf(after)]).toEqual([
          JSON.stringify(mode),
          outcome,
          expected.goesOn ? next : stopAt,
        ]);
        expect(after.context.steps[key]).toBe(expected.status);
        expect(after.context.stoppedAt).toBe(expected.goesOn ? null : key);
      }
    }
    const failure = transition(machine, snapshot, failed(key))[0];
    expect(leaf(failure)).toBe(stopAt);
    expect(failure.context).toMatchObject({ stoppedAt: key, failure: 'boom', steps: { [key]: 'error' } });
    const cancel = transition(machine, snapshot, { type: 'CANCEL' })[0];
    expect(leaf(cancel)).toBe(inWindow ? `${workflow}.rollback-protected-site` : `${workflow}.cancelled`);
    expect(cancel.context.cancelled).toBe(true);
    if (!inWindow) expect(cancel.output).toMatchObject({ final: 'cancelled', ending: 'cancelled', cancelled: true });
  });

  it('draws a stop arrow only from the steps whose errors can stop the run', () => {
    for (const [phase, step] of SPEC[workflow]) {
      const stateId = stateIdOf(machine, phase, step);
      const node = machine.getStateNodeById(stateId);
      const targets = (node.transitions.get(`xstate.done.actor.${phase}/${step}`) ?? []).flatMap((t) =>
        (t.target ?? []).map((n) => n.id),
      );
      const canStop = [{}, { force: true }].some((mode) =>
        [ERROR, CONFINED].some((o) => !expectedOnError(phase, step, o, mode).goesOn),
      );
      expect([stateId, targets.length]).toEqual([stateId, canStop ? 2 : 1]);
    }
  });

  if (HAS_ROLLBACK.has(workflow)) {
    it('rolls back on a cancel at the first storage step only while that step has sent nothing', () => {
      const prepare = snapshotAt('planned-migration', 'prepare-protected-storage');
      const after = (e: EventObject) => leaf(transition(machine, prepare, e)[0]);
      expect(after({ type: 'CANCEL', untouched: true } as EventObject)).toBe(`${workflow}.rollback-protected-site`);
      expect(after({ type: 'CANCEL' })).toBe(`${workflow}.cancelled`);
    });

    it('states the cancel rule once on each side of the storage point of no return', () => {
      const phase = workflow === 'failback' ? `${workflow}.planned-migration` : workflow;
      const cancels = (id: string) => machine.getStateNodeById(id).transitions.get('CANCEL') ?? [];
      expect(cancels(`${phase}.before-storage`).map((t) => t.target?.[0]?.id)).toEqual([
        `${workflow}.rollback-protected-site`,
      ]);
      expect(cancels(`${phase}.after-storage`).map((t) => t.target?.[0]?.id)).toEqual([`${workflow}.cancelled`]);
      for (const [p, step] of SPEC[workflow].filter(([p]) => p === 'planned-migration')) {
        const own = cancels(stateIdOf(machine, p, step));
        expect([step, own.length]).toEqual([step, step === 'prepare-protected-storage' ? 1 : 0]);
      }
    });

    it('rolls back through the rollback step, whether it succeeds or fails, and cannot be cancelled there', () => {
      const rollback = `${workflow}.rollback-protected-site`;
      const snapshot = reached.get(rollback)!;
      const key = 'planned-migration/rollback-protected-site';
      const success = transition(machine, snapshot, done(key, SUCCESS))[0];
      expect(activeLeafIds(success as never)).toEqual([`${workflow}.rolled-back`]);
      expect(success.output).toMatchObject({ final: 'rolled-back', ending: 'rolled-back' });
      expect(activeLeafIds(transition(machine, snapshot, failed(key))[0] as never)).toEqual([
        `${workflow}.rolled-back`,
      ]);
      expect(activeLeafIds(transition(machine, snapshot, { type: 'CANCEL' })[0] as never)).toEqual([rollback]);
      const events = invokeIds(machine).flatMap((id) => [
        done(id, SUCCESS),
        ...(ROLLBACK_WINDOW.has(id.split('/')[1]!) ? [done(id, ERROR), failed(id)] : []),
      ]);
      const simple = getSimplePaths(machine, {
        input,
        events: [...events, { type: 'CANCEL' }],
        toState: (s) => s.matches('rolled-back'),
      });
      expect(simple.length).toBeGreaterThan(0);
      for (const path of simple) expect(path.steps.some((s) => s.state.matches('rollback-protected-site'))).toBe(true);
    });
  } else {
    it('has no rollback, and one cancel rule for the whole run', () => {
      expect(reached.has(`${workflow}.rollback-protected-site`)).toBe(false);
      const cancels = [machine.root, ...(machine.root.states ? Object.values(machine.root.states) : [])].flatMap(
        function all(n): Array<{ id: string; count: number }> {
          return [
            { id: n.id, count: (n.transitions.get('CANCEL') ?? []).length },
            ...Object.values(n.states).flatMap(all),
          ];
        },
      );
      expect(cancels.filter((c) => c.count > 0).length).toBe(1);
    });
  }

  it('ends in a final state whose output says how the run ended', () => {
    const [first] = initialTransition(machine, input);
    const [phase, step] = SPEC[workflow][0]!;
    const stopped = transition(machine, first, failed(`${phase}/${step}`))[0];
    const final = stopped.status === 'done' ? stopped : undefined;
    if (final) {
      expect(final.output).toEqual({
        final: 'stopped',
        ending: 'incomplete',
        cancelled: false,
        stoppedAt: `${phase}/${step}`,
        failure: 'boom',
      } satisfies WorkflowOutcome);
    } else expect(leaf(stopped)).toBe(`${workflow}.rollback-protected-site`);
  });

  it('ignores completions of actors it is not running (a late or replayed event changes nothing)', () => {
    for (const snapshot of reached.values()) {
      const running = new Set(
        (snapshot as unknown as { _nodes: Array<{ invoke: Array<{ id: string }> }> })._nodes.flatMap((n) =>
          n.invoke.map((i) => i.id),
        ),
      );
      const before = activeLeafIds(snapshot as never);
      for (const id of invokeIds(machine).filter((i) => !running.has(i))) {
        expect(activeLeafIds(transition(machine, snapshot, done(id, SUCCESS))[0] as never)).toEqual(before);
        expect(activeLeafIds(transition(machine, snapshot, done(id, ERROR))[0] as never)).toEqual(before);
        expect(activeLeafIds(transition(machine, snapshot, failed(id))[0] as never)).toEqual(before);
      }
    }
  });
});
