import { describe, expect, it } from '@jest/globals';
import { createActor, fromPromise, setup, type AnyStateMachine } from 'xstate';
import { createInspector } from '@statelyai/inspect';
import { WORKFLOW_MACHINES, type StepInput, type StepOutcome } from '@drctl/workflows';
import {
  createXStateInspector,
  exportMachineGraph,
  REDACTED,
  RunInspection,
  stateFromReport,
  type ActorFrame,
  type InspectionFrame,
  type SnapshotFrame,
} from '../src/index.js';
import { simulatedEngine, smallEnvironment } from './support/engine.js';

/** The library delivers inspection events on a later tick. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

/** A failback machine whose steps all succeed at once: the deepest definition drctl has. */
const instantFailback = () =>
  WORKFLOW_MACHINES.failback.provide({
    actors: { runStep: fromPromise<StepOutcome, StepInput>(async () => ({ status: 'success' })) },
  }) as unknown as AnyStateMachine;

describe('createXStateInspector (XState inspection events → @statelyai/inspect frames)', () => {
  it('sends the actor with its whole definition, its events and snapshots up to the end', async () => {
    const frames: InspectionFrame[] = [];
    const actor = createActor(instantFailback(), {
      input: { mode: {} },
      inspect: createXStateInspector({ send: (f) => frames.push(f) }),
    });
    actor.start();
    await new Promise<void>((resolve) => actor.subscribe({ complete: resolve }));
    await settle();

    const root = frames.find((f): f is ActorFrame => f.type === '@xstate.actor' && f.sessionId === actor.sessionId)!;
    expect(root).toMatchObject({ name: 'failback', rootId: actor.sessionId, _version: expect.any(String) });
    // Nested far below the library's default depth of 10, and still there.
    const definition = JSON.parse(root.definition!);
    expect(
      definition.states['planned-migration'].states['before-storage'].states['pre-sync-storage'].invoke.onDone[0],
    ).toMatchObject({ guard: { type: 'stepFailed' }, actions: { type: 'recordStep' } });
    const values = frames
      .filter((f): f is SnapshotFrame => f.type === '@xstate.snapshot' && f.sessionId === actor.sessionId)
      .map((f) => f.snapshot.value);
    expect(values).toContainEqual({ reprotect: 'sync-storage' });
    expect(values.at(-1)).toBe('done');
    expect(
      frames.some((f) => f.type === '@xstate.event' && f.event.type === 'xstate.done.actor.reprotect/sync-storage'),
    ).toBe(true);
    for (const frame of frames) expect(() => JSON.stringify(frame)).not.toThrow();
  });

  it("keeps what the library's default depth (10) would cut", async () => {
    // Eleven levels of nesting in the context: the library alone replaces the innermost object.
    let deep: Record<string, unknown> = { leaf: 'here' };
    for (let i = 0; i < 10; i++) deep = { inner: deep };
    const machine = setup({ types: { context: {} as { deep: Record<string, unknown> } } }).createMachine({
      context: { deep },
    });
    const ours: InspectionFrame[] = [];
    createActor(machine, { inspect: createXStateInspector({ send: (f) => ours.push(f) }) }).start();
    const theirs: Array<{ type: string; snapshot?: { context?: unknown } }> = [];
    createActor(machine, { inspect: createInspector({ send: (e) => theirs.push(e as never) }).inspect }).start();
    await settle();
    const ourSnapshot = ours.find((f): f is SnapshotFrame => f.type === '@xstate.snapshot')!;
    expect(JSON.stringify(ourSnapshot.snapshot.context)).toContain('"leaf":"here"');
    expect(JSON.stringify(theirs.find((f) => f.type === '@xstate.snapshot')!.snapshot!.context)).not.toContain(
      '"leaf":"here"',
    );
  });

  it('redacts secrets in contexts and events', async () => {
    const machine = setup({
      types: {
        context: {} as { user: string; password: string; nested: { apiKey: string } },
        events: {} as { type: 'LOGIN'; token: string },
      },
    }).createMachine({
      context: { user: 'srm', password: 'hunter2', nested: { apiKey: 'k-123' } },
      on: { LOGIN: { actions: () => undefined } },
    });
    const frames: InspectionFrame[] = [];
    const actor = createActor(machine, { inspect: createXStateInspector({ send: (f) => frames.push(f) }) }).start();
    actor.send({ type: 'LOGIN', token: 's3cr3t' });
    await settle();
    const text = JSON.stringify(frames);
    expect(text).not.toMatch(/hunter2|k-123|s3cr3t/);
    expect(text).toContain('"user":"srm"');
    const event = frames.find((f) => f.type === '@xstate.event' && f.event.type === 'LOGIN')!;
    expect(event.type === '@xstate.event' && event.event['token']).toBe(REDACTED);
  });
});

describe('RunInspection (engine events → the run as its machine)', () => {
  it('follows a test run state by state, waits on the prompt step and ends done, with a child actor per VM', async () => {
    const env = smallEnvironment({ prompt: true });
    const { clock, engine } = simulatedEngine(env);
    const frames: InspectionFrame[] = [];
    const inspection = new RunInspection({ send: (f) => frames.push(f) });
    engine.subscribe(inspection.handle);
    const atPrompt: string[] = [];
    engine.subscribe((e) => {
      if (e.type !== 'prompt-waiting') return;
      atPrompt.push(inspection.run(e.runId)!.activeState);
      // The prompt is announced before it is registered: answer on the next turn.
      setImmediate(() => engine.answerPrompt(e.promptId, 'yes', 'tester'));
    });
    const handle = await clock.runUntil(engine.start({ plan: env.plans[0]!.name, workflow: 'test' }));
    const report = await clock.runUntil(handle.done);
    expect(report.result).toBe('success');
    expect(atPrompt).toEqual(['test.power-on-priority-1']);

    const runFrames = frames.filter(
      (f): f is ActorFrame | SnapshotFrame => f.type !== '@xstate.event' && f.sessionId === handle.runId,
    );
    const runSnapshots = runFrames.filter((f): f is SnapshotFrame => f.type === '@xstate.snapshot');
    const states = runFrames.map((f) => f.snapshot.value).filter((v, i, all) => i === 0 || v !== all[i - 1]);
    expect(runFrames[0]!.type).toBe('@xstate.actor');
    expect(states).toEqual([
      'sync-storage',
      'suspend-recovery-vms',
      'create-test-snapshots',
      'rescan-hosts',
      'match-stretched-devices',
      'mount-datastores',
      'configure-test-networks',
      'power-on-priority-1',
      'power-on-priority-2',
      'power-on-priority-3',
      'power-on-priority-4',
      'power-on-priority-5',
      'done',
    ]);
    expect(runSnapshots.at(-1)!.snapshot.status).toBe('done');
    expect(inspection.run(handle.runId)).toMatchObject({ activeState: 'test.done', status: 'done' });
    expect(stateFromReport(exportMachineGraph('test'), report)).toBe('test.done');

    const vmActors = frames.filter((f): f is ActorFrame => f.type === '@xstate.actor' && f.parentId === handle.runId);
    const poweredOn = report.vms.filter((v) => v.status === 'recovered').map((v) => v.name);
    expect(vmActors.map((f) => f.name)).toEqual(poweredOn.map(() => 'vm-recovery'));
    const replay = inspection.frames(handle.runId);
    expect(replay[0]).toMatchObject({ type: '@xstate.actor', sessionId: handle.runId });
    const lastVm = replay.filter((f) => f.type === '@xstate.snapshot' && f.sessionId.includes('/vm/'));
    expect(lastVm).toHaveLength(poweredOn.length);
    for (const f of lastVm)
      expect(f.type === '@xstate.snapshot' && f.snapshot).toMatchObject({ status: 'done', value: 'recovered' });
    expect(
      frames.some(
        (f) =>
          f.type === '@xstate.event' && f.event.type === 'drctl.prompt-answered' && f.event['answeredBy'] === 'tester',
      ),
    ).toBe(true);
  });

  it('shows failback steps inside their phase, as the nested machine does', async () => {
    const env = smallEnvironment();
    const { clock, engine } = simulatedEngine(env);
    const plan = env.plans[0]!.name;
    for (const workflow of ['planned-migration', 'reprotect'] as const) {
      await clock.runUntil(engine.start({ plan, workflow }).then((h) => h.done));
    }
    const frames: SnapshotFrame[] = [];
    const inspection = new RunInspection({ send: (f) => f.type === '@xstate.snapshot' && frames.push(f) });
    engine.subscribe(inspection.handle);
    const handle = await clock.runUntil(engine.start({ plan, workflow: 'failback' }));
    const report = await clock.runUntil(handle.done);
    const values = frames.filter((f) => f.sessionId === handle.runId).map((f) => f.snapshot.value);
    expect(values).toContainEqual({ 'planned-migration': { 'after-storage': 'promote-recovery-storage' } });
    expect(values).toContainEqual({ reprotect: 'cleanup-storage' });
    expect(values.at(-1)).toBe('done');
    expect(stateFromReport(exportMachineGraph('failback'), report)).toBe('failback.done');
    inspection.forget(handle.runId);
    expect(inspection.frames(handle.runId)).toEqual([]);
  });
});
