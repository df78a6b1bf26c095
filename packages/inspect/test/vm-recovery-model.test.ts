import { describe, expect, it } from '@jest/globals';
import { transition, type AnyMachineSnapshot, type AnyStateMachine, type EventObject } from 'xstate';
import { getShortestPaths, getSimplePaths } from 'xstate/graph';
import { vmRecoveryMachine, vmStage } from '@drctl/workflows';
import { activeLeafIds, leafStateIds } from './support/events.js';

/** The events are built as plain objects, so the machine is used untyped. */
const machine = vmRecoveryMachine as unknown as AnyStateMachine;
/** Every event the engine can send as a stage's work ends, plus failure and cancel. */
const EVENTS: EventObject[] = [
  { type: 'PRE_POWER_ON_DONE', ok: true } as EventObject,
  { type: 'PRE_POWER_ON_DONE', ok: false, message: 'revert failed' } as EventObject,
  { type: 'SLOT_GRANTED' },
  { type: 'POWERED_ON' },
  { type: 'TOOLS_READY' },
  { type: 'TOOLS_TIMED_OUT' },
  { type: 'DELAY_ELAPSED' },
  { type: 'POST_POWER_ON_DONE', ok: true } as EventObject,
  { type: 'POST_POWER_ON_DONE', ok: false } as EventObject,
  { type: 'FAILED', message: 'host disconnected' } as EventObject,
  { type: 'CANCEL' },
];
const FULL = { vm: 'vm1', powerOn: true, hasPrePowerOn: true, hasPostPowerOn: true, waitsForTools: true, hasDelay: true };

const leafOf = (s: AnyMachineSnapshot) => activeLeafIds(s as never)[0];

describe('one VM recovery, traversed', () => {
  // A machine in a final state is done: it takes no more events, so the traversal stops there.
  const stopWhen = (s: AnyMachineSnapshot) => s.status === 'done';
  const poweredOn = getShortestPaths(machine, { input: FULL, events: EVENTS, stopWhen });
  const leftOff = getShortestPaths(machine, { input: { ...FULL, powerOn: false }, events: EVENTS, stopWhen });

  it('reaches every state: left powered off only when its startup action says so', () => {
    const reached = new Set([...poweredOn, ...leftOff].map((p) => leafOf(p.state as AnyMachineSnapshot)));
    expect([...reached].sort()).toEqual(leafStateIds(machine).sort());
    expect(leftOff.map((p) => leafOf(p.state as AnyMachineSnapshot))).toEqual(['vm-recovery.left-powered-off']);
    expect(poweredOn.map((p) => leafOf(p.state as AnyMachineSnapshot))).not.toContain('vm-recovery.left-powered-off');
  });

  it('recovers in the brief order: pre-power-on steps, a boot slot, power on, Tools, delay, post-power-on steps', () => {
    const ok = [EVENTS[0]!, EVENTS[2]!, EVENTS[3]!, EVENTS[4]!, EVENTS[6]!, EVENTS[7]!];
    const [path] = getShortestPaths(machine, { input: FULL, events: ok, toState: (s) => s.matches('recovered') });
    expect(path!.steps.map((s) => leafOf(s.state as AnyMachineSnapshot))).toEqual([
      'vm-recovery.pre-power-on',
      'vm-recovery.awaiting-slot',
      'vm-recovery.booting.powering-on',
      'vm-recovery.booting.waiting-for-tools',
      'vm-recovery.delaying',
      'vm-recovery.post-power-on',
      'vm-recovery.recovered',
    ]);
    // Each of those states names the stage of work the engine performs there.
    expect(path!.steps.slice(0, -1).map((s) => vmStage(s.state.value))).toEqual(['pre-power-on', 'awaiting-slot', 'powering-on', 'waiting-for-tools', 'delaying', 'post-power-on']);
  });

  it('passes through the stages a VM does not have', () => {
    const plain = { vm: 'vm1', powerOn: true, hasPrePowerOn: false, hasPostPowerOn: false, waitsForTools: false, hasDelay: false };
    const [path] = getShortestPaths(machine, { input: plain, events: EVENTS, toState: (s) => s.matches('recovered') });
    expect(path!.steps.map((s) => s.event.type)).toEqual(['xstate.init', 'SLOT_GRANTED', 'POWERED_ON']);
  });

  it('never powers on a VM whose pre-power-on steps failed', () => {
    const paths = getSimplePaths(machine, { input: FULL, events: EVENTS, stopWhen, toState: (s) => s.matches('failed') });
    const viaCalloutFailure = paths.filter((p) => p.steps.some((s) => s.event.type === 'PRE_POWER_ON_DONE' && (s.event as { ok?: boolean }).ok === false));
    expect(viaCalloutFailure.length).toBeGreaterThan(0);
    for (const p of viaCalloutFailure) expect(p.steps.some((s) => s.state.matches('booting'))).toBe(false);
    expect(viaCalloutFailure[0]!.state.context.message).toBe('revert failed');
  });

  it('fails a VM whose Tools heartbeat times out', () => {
    const waiting = poweredOn.find((p) => leafOf(p.state as AnyMachineSnapshot) === 'vm-recovery.booting.waiting-for-tools')!.state as AnyMachineSnapshot;
    const [next] = transition(machine, waiting, { type: 'TOOLS_TIMED_OUT' });
    expect(leafOf(next as AnyMachineSnapshot)).toBe('vm-recovery.failed');
    expect((next as AnyMachineSnapshot).context.message).toMatch(/Tools/);
  });

  it('releases its boot slot whenever it leaves booting, and holds none elsewhere', () => {
    for (const path of poweredOn) {
      const state = path.state as AnyMachineSnapshot;
      for (const event of EVENTS) {
        const [next, actions] = transition(machine, state, event);
        const released = actions.some((a) => (a.type as string) === 'releaseSlot');
        const left = state.matches('booting') && !(next as AnyMachineSnapshot).matches('booting');
        expect([leafOf(state), event.type, released]).toEqual([leafOf(state), event.type, left]);
      }
    }
  });

  it('can be cancelled or failed from every state that is not final', () => {
    for (const path of poweredOn) {
      const state = path.state as AnyMachineSnapshot;
      if (state.status === 'done') continue;
      expect(leafOf(transition(machine, state, { type: 'CANCEL' })[0] as AnyMachineSnapshot)).toBe('vm-recovery.cancelled');
      expect(leafOf(transition(machine, state, { type: 'FAILED', message: 'x' } as EventObject)[0] as AnyMachineSnapshot)).toBe('vm-recovery.failed');
    }
  });
});
