import { describe, expect, it } from '@jest/globals';
import { initialTransition, transition, type AnyMachineSnapshot, type AnyStateMachine, type EventObject } from 'xstate';
import { getShortestPaths, getSimplePaths } from 'xstate/graph';
import { vmRecoveryMachine } from '../../src/index.js';
import { activeLeafIds, leafStateIds } from './support/events.js';

/** Events are built generically here, so the machine is used untyped. */
const machine = vmRecoveryMachine as unknown as AnyStateMachine;

/** Everything the engine can report about one VM: each stage ending well or badly, a failure, a cancel. */
const EVENTS: EventObject[] = [
  { type: 'PRE_POWER_ON_DONE', ok: true },
  { type: 'PRE_POWER_ON_DONE', ok: false, message: 'revert failed' },
  { type: 'SLOT_GRANTED' },
  { type: 'POWERED_ON' },
  { type: 'TOOLS_READY' },
  { type: 'TOOLS_TIMED_OUT' },
  { type: 'DELAY_ELAPSED' },
  { type: 'POST_POWER_ON_DONE', ok: true },
  { type: 'POST_POWER_ON_DONE', ok: false, message: 'smoke test failed' },
  { type: 'FAILED', message: 'power-on refused by the host' },
  { type: 'CANCEL' },
] as EventObject[];

/** Every combination of what a VM's recovery settings can leave out. */
const INPUTS = Array.from({ length: 32 }, (_, bits) => ({
  vm: 'vm1',
  powerOn: (bits & 1) === 0,
  hasPrePowerOn: (bits & 2) === 0,
  hasPostPowerOn: (bits & 4) === 0,
  waitsForTools: (bits & 8) === 0,
  hasDelay: (bits & 16) === 0,
}));
const FULL = INPUTS[0]!;

const leafOf = (s: AnyMachineSnapshot) => activeLeafIds(s as never)[0];
// A machine in a final state is done: its actor stops and takes no more events (not even the
// root's CANCEL), so the traversal stops there too.
const stopWhen = (s: AnyMachineSnapshot) => s.status === 'done';
const traverse = (input: object) => getShortestPaths(machine, { input, events: EVENTS, stopWhen });

describe('one VM recovery, traversed', () => {
  it('reaches every state; left powered off exactly when its startup action says so', () => {
    const reached = new Set<string>();
    for (const input of INPUTS) {
      const leaves = traverse(input).map((p) => leafOf(p.state as AnyMachineSnapshot)!);
      leaves.forEach((l) => reached.add(l));
      if (!input.powerOn) expect(leaves).toEqual(['vm-recovery.left-powered-off']);
      else expect(leaves).not.toContain('vm-recovery.left-powered-off');
    }
    expect([...reached].sort()).toEqual(leafStateIds(machine).sort());
  });

  it('recovers in the brief order: pre-power-on steps, a boot slot, power on, Tools, delay, post-power-on steps', () => {
    const [path] = getShortestPaths(machine, {
      input: FULL,
      events: EVENTS.filter(
        (e) => (e as { ok?: boolean }).ok !== false && !['TOOLS_TIMED_OUT', 'FAILED', 'CANCEL'].includes(e.type),
      ),
      toState: (s) => s.matches('recovered'),
    });
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

  it('passes through the stages a VM does not have', () => {
    const bare = {
      vm: 'vm1',
      powerOn: true,
      hasPrePowerOn: false,
      hasPostPowerOn: false,
      waitsForTools: false,
      hasDelay: false,
    };
    const [start] = initialTransition(machine, bare);
    expect(leafOf(start as AnyMachineSnapshot)).toBe('vm-recovery.awaiting-slot');
    const [booting] = transition(machine, start, { type: 'SLOT_GRANTED' });
    const [done] = transition(machine, booting, { type: 'POWERED_ON' });
    expect(leafOf(done as AnyMachineSnapshot)).toBe('vm-recovery.recovered');
  });

  it('never powers on a VM whose pre-power-on steps failed', () => {
    const paths = getSimplePaths(machine, {
      input: FULL,
      events: EVENTS,
      stopWhen,
      toState: (s) => s.matches('failed'),
    });
    const viaCalloutFailure = paths.filter((p) =>
      p.steps.some((s) => s.event.type === 'PRE_POWER_ON_DONE' && (s.event as { ok?: boolean }).ok === false),
    );
    expect(viaCalloutFailure.length).toBeGreaterThan(0);
    for (const p of viaCalloutFailure) expect(p.steps.some((s) => s.state.matches('booting'))).toBe(false);
    expect(viaCalloutFailure[0]!.state.context.message).toBe('revert failed');
  });

  it('fails a VM whose Tools heartbeat times out', () => {
    const waiting = traverse(FULL).find(
      (p) => leafOf(p.state as AnyMachineSnapshot) === 'vm-recovery.booting.waiting-for-tools',
    )!.state as AnyMachineSnapshot;
    const [failed] = transition(machine, waiting, { type: 'TOOLS_TIMED_OUT' });
    expect(leafOf(failed as AnyMachineSnapshot)).toBe('vm-recovery.failed');
    expect(failed.context.message).toMatch(/Tools heartbeat not received/);
  });

  it('releases its boot slot whenever it leaves booting, and holds none elsewhere', () => {
    for (const input of INPUTS.filter((i) => i.powerOn)) {
      for (const path of traverse(input)) {
        const state = path.state as AnyMachineSnapshot;
        for (const event of EVENTS) {
          const [next, actions] = transition(machine, state, event);
          const released = actions.some((a) => (a.type as string) === 'releaseSlot');
          const left = state.matches('booting') && !(next as AnyMachineSnapshot).matches('booting');
          expect([leafOf(state), event.type, released]).toEqual([leafOf(state), event.type, left]);
        }
      }
    }
  });

  it('can be cancelled, or fail, from every state that is not final', () => {
    for (const path of traverse(FULL)) {
      const state = path.state as AnyMachineSnapshot;
      if (state.status === 'done') continue;
      expect(leafOf(transition(machine, state, { type: 'CANCEL' })[0] as AnyMachineSnapshot)).toBe(
        'vm-recovery.cancelled',
      );
      const [failed] = transition(machine, state, { type: 'FAILED', message: 'host down' });
      expect([leafOf(failed as AnyMachineSnapshot), failed.context.message]).toEqual([
        'vm-recovery.failed',
        'host down',
      ]);
    }
  });
});
