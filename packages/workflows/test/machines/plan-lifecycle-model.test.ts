import { describe, expect, it } from '@jest/globals';
import { transition } from 'xstate';
import { getShortestPaths } from 'xstate/graph';
import { WORKFLOWS, type WorkflowName } from '@drctl/domain';
import {
  planLifecycleMachine,
  refusal,
  type PlanLifecycleEvent,
  type PlanLifecycleSnapshot,
  type RunEnding,
} from '../../src/index.js';

const ENDINGS: RunEnding[] = ['complete', 'incomplete', 'rolled-back', 'cancelled'];
const EVENTS: PlanLifecycleEvent[] = [
  ...WORKFLOWS.map((workflow) => ({ type: 'START' as const, workflow, runId: 'r1' })),
  ...WORKFLOWS.flatMap((workflow) =>
    ENDINGS.flatMap((ending) =>
      [false, true].map((protectedSitePending) => ({
        type: 'RUN_ENDED' as const,
        workflow,
        ending,
        protectedSitePending,
      })),
    ),
  ),
];

/** What the brief lets a plan start in each lifecycle state. */
function allowedByBrief(snapshot: PlanLifecycleSnapshot): WorkflowName[] {
  const { reversed, protectedSitePending } = snapshot.context;
  switch (snapshot.value) {
    case 'ready':
      return ['test', 'planned-migration', 'disaster-recovery', ...(reversed ? (['failback'] as const) : [])];
    case 'test-complete':
      return ['cleanup'];
    case 'recovery-incomplete':
      return ['planned-migration', 'disaster-recovery'];
    case 'recovery-complete':
      // "If the protected VMs could not be shut down ... running recovery again later finishes the
      // job": until then there is no reprotect.
      return protectedSitePending ? ['planned-migration', 'disaster-recovery'] : ['reprotect'];
    case 'reprotect-incomplete':
      return ['reprotect'];
    case 'failback-incomplete':
      return ['failback'];
    default:
      return []; // a run is in progress
  }
}

const input = { plan: 'P1' };
const paths = getShortestPaths(planLifecycleMachine, { input, events: EVENTS });
const snapshots = paths.map((p) => p.state);
const ALL_STATES = Object.keys(planLifecycleMachine.root.states);

describe('the plan lifecycle, traversed with every start and every run ending', () => {
  it('reaches all of its states', () => {
    expect(new Set(snapshots.map((s) => s.value))).toEqual(new Set(ALL_STATES));
    expect(ALL_STATES).toHaveLength(11);
  });

  it('starts exactly the workflows the brief allows in each state it reaches, and refuses the rest with the reason', () => {
    for (const snapshot of snapshots) {
      for (const workflow of WORKFLOWS) {
        const allowed = allowedByBrief(snapshot).includes(workflow);
        const [next] = transition(planLifecycleMachine, snapshot, { type: 'START', workflow, runId: 'r2' });
        const where = `${String(snapshot.value)} ${JSON.stringify(snapshot.context)} ${workflow}`;
        expect([where, next.value !== snapshot.value || next.context.activeRunId === 'r2']).toEqual([where, allowed]);
        const reason = refusal(snapshot, workflow);
        if (allowed) {
          expect([where, reason]).toEqual([where, undefined]);
        } else {
          expect(reason).toMatch(/^Plan P1 /);
          expect(reason).toMatch(/\.$/);
        }
      }
    }
  });

  it('names the state and what to do next in a refusal', () => {
    const ready = snapshots.find((s) => s.value === 'ready' && !s.context.reversed)!;
    expect(refusal(ready, 'cleanup')).toBe(
      'Plan P1 is ready, so cleanup cannot start: run test, planned-migration or disaster-recovery.',
    );
    expect(refusal(ready, 'failback')).toMatch(/has not been reprotected/);
    const testComplete = snapshots.find((s) => s.value === 'test-complete')!;
    expect(refusal(testComplete, 'planned-migration')).toMatch(
      /is test complete, so planned-migration cannot start: run cleanup first/,
    );
    const pending = snapshots.find((s) => s.value === 'recovery-complete' && s.context.protectedSitePending)!;
    expect(refusal(pending, 'reprotect')).toMatch(
      /recovered without shutting down the protected site; run disaster-recovery again/,
    );
  });

  it('goes test → cleanup → ready, and recovery → reprotect → ready reversed → failback → ready', () => {
    const walk = (events: PlanLifecycleEvent[]) => {
      let [s] = [
        planLifecycleMachine.resolveState({
          value: 'ready',
          context: { plan: 'P1', reversed: false, protectedSitePending: false, activeRunId: null, lastRunId: null },
        }),
      ];
      const seen: string[] = [String(s.value)];
      for (const e of events) {
        [s] = transition(planLifecycleMachine, s, e);
        seen.push(String(s.value));
      }
      return { seen, last: s };
    };
    const start = (workflow: WorkflowName): PlanLifecycleEvent => ({ type: 'START', workflow, runId: `${workflow}-1` });
    const end = (workflow: WorkflowName, ending: RunEnding = 'complete'): PlanLifecycleEvent => ({
      type: 'RUN_ENDED',
      workflow,
      ending,
    });

    expect(walk([start('test'), end('test'), start('cleanup'), end('cleanup')]).seen).toEqual([
      'ready',
      'test-in-progress',
      'test-complete',
      'cleanup-in-progress',
      'ready',
    ]);
    const round = walk([
      start('planned-migration'),
      end('planned-migration'),
      start('reprotect'),
      end('reprotect'),
      start('failback'),
      end('failback'),
    ]);
    expect(round.seen).toEqual([
      'ready',
      'recovery-in-progress',
      'recovery-complete',
      'reprotect-in-progress',
      'ready',
      'failback-in-progress',
      'ready',
    ]);
    expect(round.last.context).toMatchObject({ reversed: false, activeRunId: null, lastRunId: 'failback-1' });
    // An incomplete recovery is run again; a rolled-back one leaves the plan ready.
    expect(
      walk([start('planned-migration'), end('planned-migration', 'incomplete'), start('planned-migration')]).seen.slice(
        -2,
      ),
    ).toEqual(['recovery-incomplete', 'recovery-in-progress']);
    expect(walk([start('planned-migration'), end('planned-migration', 'rolled-back')]).last.value).toBe('ready');
  });

  it('records the run it is in and ignores endings of other workflows', () => {
    for (const snapshot of snapshots.filter((s) => String(s.value).endsWith('-in-progress'))) {
      expect(snapshot.context.activeRunId).toBe('r1');
      const running = String(snapshot.value).replace('-in-progress', '');
      for (const workflow of WORKFLOWS) {
        const family = running === 'recovery' ? ['planned-migration', 'disaster-recovery'] : [running];
        if (family.includes(workflow)) continue;
        const [next] = transition(planLifecycleMachine, snapshot, { type: 'RUN_ENDED', workflow, ending: 'complete' });
        expect(next.value).toBe(snapshot.value);
      }
    }
  });
});
