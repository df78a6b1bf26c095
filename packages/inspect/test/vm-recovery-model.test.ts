import { describe, expect, it } from '@jest/globals';
import { transition, type AnyMachineSnapshot, type AnyStateMachine, type EventObject } from 'xstate';
import { getShortestPaths, getSimplePaths } from 'xstate/graph';
import { vmRecoveryMachine } from '@drctl/workflows';
import { activeLeafIds, done, failed, invokeIds, leafStateIds } from './support/events.js';

/** Events here are built generically (actor completions), so the machine is used untyped. */
const machine = vmRecoveryMachine as unknown as AnyStateMachine;
const ids = invokeIds(machine);
/** Every completion each actor can give: callout batches pass or fail, Tools answer, time out or are not awaited. */
const EVENTS: EventObject[] = [
  done('prePowerOn', { ok: true }),
  done('prePowerOn', { ok: false, message: 'revert failed' }),
  done('acquireSlot', undefined),
  done('powerOn', undefined),
  done('waitForTools', 'ready'),
  done('waitForTools', 'timeout'),
  done('waitForTools', 'not-waited'),
  done('delayAfterPowerOn', undefined),
  done('postPowerOn', { ok: true }),
  done('postPowerOn', { ok: false }),
  ...ids.map(failed),
  { type: 'CANCEL' },
];

const leafOf = (s: AnyMachineSnapshot) => activeLeafIds(s as never)[0];

describe('one VM recovery, traversed', () => {
  // A machine in a final state is done: its actor stops and takes no more events (not even the
  // root's CANCEL), so the traversal stops there too.
  const stopWhen = (s: AnyMachineSnapshot) => s.status === 'done';
  const poweredOn = getShortestPaths(machine, { input: { vm: 'vm1', powerOn: true }, events: EVENTS, stopWhen });
  const leftOff = getShortestPaths(machine, { input: { vm: 'vm1', powerOn: false }, events: EVENTS, stopWhen });

  it('reaches every state: left powered off only when its startup action says so', () => {
    const reached = new Set([...poweredOn, ...leftOff].map((p) => leafOf(p.state as AnyMachineSnapshot)));
    expect([...reached].sort()).toEqual(leafStateIds(machine).sort());
    expect(leftOff.map((p) => leafOf(p.state as AnyMachineSnapshot))).toEqual(['vm-recovery.left-powered-off']);
    expect(poweredOn.map((p) => leafOf(p.state as AnyMachineSnapshot))).not.toContain('vm-recovery.left-powered-off');
  });

  it('recovers in the brief order: pre-power-on steps, a boot slot, power on, Tools, delay, post-power-on steps', () => {
    const ok = [EVENTS[0]!, EVENTS[2]!, EVENTS[3]!, EVENTS[4]!, EVENTS[7]!, EVENTS[8]!];
    const [path] = getShortestPaths(machine, { input: { vm: 'vm1', powerOn: true }, events: ok, toState: (s) => s.matches('recovered') });
    expect(path!.steps.map((s) => leafOf(s.state as AnyMachineSnapshot))).toEqual([
      'vm-recovery.pre-power-on',
      'vm-recovery.awaiting-slot',
      'vm-recovery.booting.powering-on',
      'vm-recovery.booting.waiting-for-tools',
      'vm-recovery.delaying',
      'vm-recovery.post-power-on',
      'vm-recovery.recovered',
    ]);
  });

  it('never powers on a VM whose pre-power-on steps failed', () => {
    const paths = getSimplePaths(machine, { input: { vm: 'vm1', powerOn: true }, events: EVENTS, stopWhen, toState: (s) => s.matches('failed') });
    const viaCalloutFailure = paths.filter((p) => p.steps.some((s) => (s.event as { output?: { ok?: boolean } }).output?.ok === false && s.event.type.endsWith('prePowerOn')));
    expect(viaCalloutFailure.length).toBeGreaterThan(0);
    for (const p of viaCalloutFailure) expect(p.steps.some((s) => s.state.matches('booting'))).toBe(false);
    expect(viaCalloutFailure[0]!.state.context.message).toBe('revert failed');
  });

  it('fails a VM whose Tools heartbeat times out, but not one whose Tools are not awaited', () => {
    const waiting = poweredOn.find((p) => leafOf(p.state as AnyMachineSnapshot) === 'vm-recovery.booting.waiting-for-tools')!.state as AnyMachineSnapshot;
    expect(leafOf(transition(machine, waiting, done('waitForTools', 'timeout'))[0] as AnyMachineSnapshot)).toBe('vm-recovery.failed');
    expect(leafOf(transition(machine, waiting, done('waitForTools', 'not-waited'))[0] as AnyMachineSnapshot)).toBe('vm-recovery.delaying');
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

  it('can be cancelled from every state that is not final', () => {
    for (const path of poweredOn) {
      const state = path.state as AnyMachineSnapshot;
      if (state.status === 'done') continue;
      expect(leafOf(transition(machine, state, { type: 'CANCEL' })[0] as AnyMachineSnapshot)).toBe('vm-recovery.cancelled');
    }
  });
});
