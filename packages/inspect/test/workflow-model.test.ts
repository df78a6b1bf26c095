import { describe, expect, it } from '@jest/globals';
import { getMicrosteps, transition, type AnyMachineSnapshot, type AnyStateMachine, type EventObject } from 'xstate';
import { getShortestPaths, getSimplePaths } from 'xstate/graph';
import type { WorkflowName } from '@drctl/domain';
import { WORKFLOW_MACHINES } from '@drctl/workflows';
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
const HAS_ROLLBACK = new Set<WorkflowName>(['planned-migration', 'failback']);

const SUCCESS = { status: 'success', stop: false };
const STOP = { status: 'error', stop: true };

const machineOf = (w: WorkflowName) => WORKFLOW_MACHINES[w] as unknown as AnyStateMachine;
const input = { mode: {} };

/** Every event the machine can get: each step actor's success, stop and failure, and CANCEL. */
function allEvents(machine: AnyStateMachine): EventObject[] {
  return [...invokeIds(machine).flatMap((id) => [done(id, SUCCESS), done(id, STOP), failed(id)]), { type: 'CANCEL' }];
}

const stateIdOf = (w: WorkflowName, phase: string, step: string) =>
  w === 'failback' && step !== 'rollback-protected-site' ? `failback.${phase}.${step}` : `${w}.${step}`;

describe.each(Object.keys(SPEC) as WorkflowName[])('the %s machine, traversed', (workflow) => {
  const machine = machineOf(workflow);
  const paths = getShortestPaths(machine, { input, events: allEvents(machine) });
  const reached = new Map<string, AnyMachineSnapshot>();
  for (const path of paths) {
    for (const id of activeLeafIds(path.state as never))
      if (!reached.has(id)) reached.set(id, path.state as AnyMachineSnapshot);
  }

  it('reaches every state of the definition, and only those', () => {
    // A phase's final `phase-complete` state (failback) is left in the same macrostep by its
    // parent's onDone, so no snapshot rests there: it shows in the microsteps instead.
    const transient = leafStateIds(machine).filter((id) => id.endsWith('.phase-complete'));
    expect([...reached.keys()].sort()).toEqual(
      leafStateIds(machine)
        .filter((id) => !transient.includes(id))
        .sort(),
    );
    for (const id of transient) {
      const phase = id.split('.')[1]!;
      const steps = SPEC[workflow].filter(([p]) => p === phase);
      const [, lastStep] = steps[steps.length - 1]!;
      const micro = getMicrosteps(
        machine,
        reached.get(`${workflow}.${phase}.${lastStep}`)! as never,
        done(`${phase}/${lastStep}`, SUCCESS),
      );
      expect(micro.map(([s]) => activeLeafIds(s as never)[0])).toContain(id);
    }
  });

  it('runs the steps in the brief order when every step succeeds, and ends done', () => {
    const successOnly = invokeIds(machine).map((id) => done(id, SUCCESS));
    const [path] = getShortestPaths(machine, { input, events: successOnly, toState: (s) => s.status === 'done' });
    expect(path).toBeDefined();
    const visited = [
      activeLeafIds(path!.steps[0]!.state as never)[0],
      ...path!.steps.slice(1).map((s) => activeLeafIds(s.state as never)[0]),
    ];
    const expected = [...SPEC[workflow].map(([phase, step]) => stateIdOf(workflow, phase, step)), `${workflow}.done`];
    expect(visited).toEqual(expected);
    expect(path!.state.context).toMatchObject({ stoppedAt: null, cancelled: false, failure: null });
    expect(Object.keys((path!.state.context as { steps: object }).steps)).toEqual(
      SPEC[workflow].map(([p, s]) => `${p}/${s}`),
    );
  });

  it.each(SPEC[workflow])('from %s/%s: a stop, a failure and a cancel end where the policy says', (phase, step) => {
    const stateId = stateIdOf(workflow, phase, step);
    const snapshot = reached.get(stateId)!;
    const rollsBack = HAS_ROLLBACK.has(workflow) && phase === 'planned-migration' && ROLLBACK_WINDOW.has(step);
    const key = `${phase}/${step}`;
    const outcomes = {
      stop: transition(machine, snapshot, done(key, STOP))[0],
      failure: transition(machine, snapshot, failed(key))[0],
      cancel: transition(machine, snapshot, { type: 'CANCEL' })[0],
    };
    const after = (s: AnyMachineSnapshot) => activeLeafIds(s as never)[0];
    expect(after(outcomes.stop)).toBe(rollsBack ? `${workflow}.rollback-protected-site` : `${workflow}.stopped`);
    expect(after(outcomes.failure)).toBe(rollsBack ? `${workflow}.rollback-protected-site` : `${workflow}.stopped`);
    expect(after(outcomes.cancel)).toBe(rollsBack ? `${workflow}.rollback-protected-site` : `${workflow}.cancelled`);
    expect(outcomes.stop.context.stoppedAt).toBe(key);
    expect(outcomes.failure.context).toMatchObject({ stoppedAt: key, failure: 'boom', steps: { [key]: 'error' } });
    expect(outcomes.cancel.context.cancelled).toBe(true);
  });

  if (HAS_ROLLBACK.has(workflow)) {
    it('rolls back on a cancel at the first storage step only while that step has sent nothing', () => {
      const [prepare] = [...reached.entries()]
        .find(([id]) => id.endsWith('planned-migration.prepare-protected-storage'))!
        .slice(1) as [AnyMachineSnapshot];
      const after = (e: EventObject) => activeLeafIds(transition(machine, prepare, e)[0] as never)[0];
      expect(after({ type: 'CANCEL', untouched: true } as EventObject)).toBe(`${workflow}.rollback-protected-site`);
      expect(after({ type: 'CANCEL' })).toBe(`${workflow}.cancelled`);
    });

    it('rolls back through the rollback step, whether it succeeds or fails, and cannot be cancelled there', () => {
      const rollback = `${workflow}.rollback-protected-site`;
      const snapshot = reached.get(rollback)!;
      const key = 'planned-migration/rollback-protected-site';
      expect(activeLeafIds(transition(machine, snapshot, done(key, SUCCESS))[0] as never)).toEqual([
        `${workflow}.rolled-back`,
      ]);
      expect(activeLeafIds(transition(machine, snapshot, failed(key))[0] as never)).toEqual([
        `${workflow}.rolled-back`,
      ]);
      expect(activeLeafIds(transition(machine, snapshot, { type: 'CANCEL' })[0] as never)).toEqual([rollback]);
      // Every way into rolled-back (success to walk, stop/cancel/failure inside the window) passes the rollback step.
      const events = invokeIds(machine).flatMap((id) => [
        done(id, SUCCESS),
        ...(ROLLBACK_WINDOW.has(id.split('/')[1]!) ? [done(id, STOP), failed(id)] : []),
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
    it('has no rollback', () => {
      expect(reached.has(`${workflow}.rollback-protected-site`)).toBe(false);
    });
  }

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
        expect(activeLeafIds(transition(machine, snapshot, failed(id))[0] as never)).toEqual(before);
      }
    }
  });
});
