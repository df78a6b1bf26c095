import { describe, expect, it } from '@jest/globals';
import type { PlanVm, Priority } from '@drctl/domain';
import type { EngineEvent } from '@drctl/workflows';
import {
  applyEvent,
  eventLine,
  initialProgress,
  poweredOnPriorities,
  renderBlock,
  TerminalView,
  vmCounts,
} from '../src/index.js';
import { memoryIo } from './support/memory-io.js';

function vm(name: string, priority: Priority, startupAction: PlanVm['startupAction'] = 'power-on'): PlanVm {
  return { name, priority, startupAction } as PlanVm;
}

const VMS = [vm('ad01', 1), vm('sql01', 2), vm('app01', 2), vm('backup01', 5, 'do-not-power-on')];
const RUN = { runId: 'r1', plan: 'Protect vcsite1', workflow: 'disaster-recovery' as const };
const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1) + seconds * 1000).toISOString();

function fold(events: EngineEvent[]) {
  const state = initialProgress(RUN, VMS);
  const priorities = poweredOnPriorities(VMS);
  for (const e of events) applyEvent(state, e, priorities);
  return state;
}

describe('sync progress in the CLI', () => {
  const poll = (seconds: number, percents: number[]): EngineEvent => ({
    type: 'sync-progress',
    runId: 'r1',
    step: 'pre-sync-storage',
    phase: 'disaster-recovery',
    devices: percents.map((percent, i) => ({
      device: `vol-${i + 1}`,
      status: percent >= 100 ? 'complete' : 'in-progress',
      percent: Math.min(percent, 100),
    })),
    at: at(seconds),
  });

  it('shows the running sync in the live block and logs a line per quarter copied, until its step ends', () => {
    const state = initialProgress(RUN, VMS);
    const priorities = poweredOnPriorities(VMS);
    const lines: Array<string | undefined> = [];
    for (const e of [poll(10, [0, 10]), poll(20, [20, 40]), poll(30, [30, 40]), poll(40, [100, 60])]) {
      applyEvent(state, e, priorities);
      lines.push(eventLine(state, e));
    }
    expect(lines).toEqual([
      'sync     5 % copied over 2 device(s) (slowest vol-1)',
      'sync     30 % copied over 2 device(s) (slowest vol-1)',
      undefined,
      'sync     80 % copied over 2 device(s) (slowest vol-2)',
    ]);
    expect(renderBlock(state, Date.parse(at(40)), 1000).join('\n')).toMatch(/sync .* 80 % · vol-1 100 %, vol-2 60 %/);
    applyEvent(
      state,
      {
        type: 'step-finished',
        runId: 'r1',
        step: 'pre-sync-storage',
        phase: 'disaster-recovery',
        status: 'success',
        at: at(50),
        messages: [],
      },
      priorities,
    );
    expect(state.sync).toBeUndefined();
    expect(renderBlock(state, Date.parse(at(50)), 1000).join('\n')).not.toMatch(/sync /);
  });
});

describe('the progress state folded from engine events', () => {
  it('starts with every step of the workflow pending and counts only VMs that power on', () => {
    const state = initialProgress(RUN, VMS);
    expect(state.steps.map((s) => s.step)).toEqual(
      expect.arrayContaining(['pre-sync-storage', 'promote-recovery-storage', 'power-on-priority-5']),
    );
    expect(state.steps.every((s) => s.status === 'pending')).toBe(true);
    expect(vmCounts(state)).toEqual({ recovered: 0, failed: 0, total: 3 });
    expect(
      initialProgress({ ...RUN, workflow: 'failback' }, VMS)
        .steps.filter((s) => s.step === 'sync-storage')
        .map((s) => s.title),
    ).toEqual(['Synchronize storage (planned-migration)', 'Synchronize storage (reprotect)']);
  });

  it('tracks steps, VMs per priority, prompts and the result', () => {
    const state = fold([
      {
        type: 'run-started',
        runId: 'r1',
        plan: RUN.plan,
        workflow: RUN.workflow,
        mode: 'disaster',
        at: at(0),
        resumed: false,
      },
      { type: 'step-started', runId: 'r1', step: 'power-on-priority-2', phase: 'disaster-recovery', at: at(10) },
      { type: 'vm-powering-on', runId: 'r1', vm: 'sql01', host: 'h1', priority: 2, at: at(10) },
      { type: 'vm-powering-on', runId: 'r1', vm: 'app01', host: 'h2', priority: 2, at: at(10) },
      { type: 'vm-recovered', runId: 'r1', vm: 'sql01', host: 'h1', at: at(100) },
      { type: 'vm-failed', runId: 'r1', vm: 'app01', host: 'h2', at: at(200), message: 'no Tools' },
      { type: 'vm-recovered', runId: 'r1', vm: 'backup01', host: 'h3', at: at(200) },
      { type: 'prompt-waiting', runId: 'r1', promptId: 'p1', text: 'Go on?', at: at(200) },
      {
        type: 'step-finished',
        runId: 'r1',
        step: 'power-on-priority-2',
        phase: 'disaster-recovery',
        status: 'error',
        at: at(200),
        messages: ['app01: no Tools'],
      },
      {
        type: 'storage-command',
        runId: 'other-run',
        command: 'failover',
        arrayId: 'a',
        devices: ['d'],
        status: 'success',
        at: at(200),
      },
    ]);
    const p2 = state.priorities.find((p) => p.priority === 2)!;
    expect(p2).toEqual({ priority: 2, total: 2, recovered: 1, failed: 1, poweringOn: 0 });
    expect(state.priorities.find((p) => p.priority === 5)!.recovered).toBe(0);
    expect(state.steps.find((s) => s.step === 'power-on-priority-2')).toMatchObject({
      status: 'error',
      startedAt: at(10),
      finishedAt: at(200),
    });
    expect(state.prompts).toEqual([{ promptId: 'p1', text: 'Go on?' }]);
    expect(state.storageCommands).toBe(0);
    expect(state.mode).toBe('disaster');

    const block = renderBlock(state, Date.parse(at(200)), 1500);
    expect(block[0]).toBe('disaster-recovery · Protect vcsite1 · disaster · run r1');
    expect(block[1]).toContain('time T+00:03:20');
    expect(block).toContain('  VMs powered on 1/3 · 1 failed');
    expect(block).toContain('    priority 2 [####################] 1/2 · 1 failed');
    expect(block.at(-1)).toBe('  ? waiting for an answer: Go on?');
  });

  it('writes a log line for what matters, and none for each VM powering on', () => {
    const state = fold([
      {
        type: 'run-started',
        runId: 'r1',
        plan: RUN.plan,
        workflow: RUN.workflow,
        mode: 'disaster',
        at: at(0),
        resumed: true,
      },
    ]);
    expect(
      eventLine(state, { type: 'vm-powering-on', runId: 'r1', vm: 'sql01', host: 'h1', priority: 2, at: at(5) }),
    ).toBeUndefined();
    expect(
      eventLine(state, {
        type: 'storage-command',
        runId: 'r1',
        command: 'failover',
        arrayId: 'SC 13',
        devices: ['srmds1'],
        status: 'timeout',
        at: at(390),
        message: 'did not finish',
      }),
    ).toBe('T+00:06:30  storage  failover on SC 13 (srmds1): timeout — did not finish');
    expect(
      eventLine(state, {
        type: 'run-started',
        runId: 'r1',
        plan: RUN.plan,
        workflow: RUN.workflow,
        mode: 'disaster',
        at: at(0),
        resumed: true,
      }),
    ).toMatch(/^Resumed disaster-recovery/);
  });

  it("says a power-on step's count once, on the step's line, counting VMs left powered off", () => {
    const state = fold([]);
    const line = eventLine(state, {
      type: 'step-finished',
      runId: 'r1',
      step: 'power-on-priority-5',
      phase: 'recovery',
      status: 'success',
      at: at(60),
      messages: ['3/3 VMs recovered (1 left powered off by their startup action)', 'note'],
    });
    expect(line?.split('\n')).toEqual([
      expect.stringMatching(
        /\[power-on-priority-5\] — 3\/3 VMs recovered \(1 left powered off by their startup action\)$/,
      ),
      '            note',
    ]);
    expect(line?.match(/recovered/g)).toHaveLength(1);
  });
});

describe('the terminal view', () => {
  it('redraws its block in place, holds log lines while a question is asked, and gives the cursor back', () => {
    const io = memoryIo();
    const view = new TerminalView(io, () => Date.parse(at(30)));
    const state = initialProgress(RUN, VMS);
    const priorities = poweredOnPriorities(VMS);
    const started: EngineEvent = {
      type: 'run-started',
      runId: 'r1',
      plan: RUN.plan,
      workflow: RUN.workflow,
      mode: 'disaster',
      at: at(0),
      resumed: false,
    };
    applyEvent(state, started, priorities);
    view.update(state, started);
    expect(io.out()).toContain('Started disaster-recovery (disaster) of plan "Protect vcsite1": run r1\n');
    expect(io.out()).toContain('disaster-recovery · Protect vcsite1 · disaster · run r1');

    view.pause();
    const failed: EngineEvent = {
      type: 'vm-failed',
      runId: 'r1',
      vm: 'sql01',
      host: 'h1',
      at: at(20),
      message: 'no Tools',
    };
    applyEvent(state, failed, priorities);
    view.update(state, failed);
    expect(io.out()).not.toContain('sql01 failed');
    view.resume();
    expect(io.out()).toContain('T+00:00:20  VM       sql01 failed on h1: no Tools\n');

    view.close(state);
    const out = io.out();
    // eslint-disable-next-line no-control-regex -- the terminal's escape sequences are what is checked
    expect(out).toMatch(/\x1b\[\d+F\x1b\[0J/);
    expect(out.startsWith('\x1b[?25l')).toBe(true);
    expect(out.endsWith('\x1b[?25h')).toBe(true);
  });
});
