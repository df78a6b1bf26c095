import { describe, expect, it } from '@jest/globals';
import type { RunReport, VmRecord } from '@drctl/domain';
import {
  bootSpans,
  EXIT_CODES,
  exitCodeForError,
  exitCodeForResult,
  highestPeak,
  peakOverlap,
  storageSpans,
  summarizeReport,
  describeError,
} from '../src/index.js';
import { DrError } from '@drctl/domain';

const t = (s: number) => new Date(Date.UTC(2026, 0, 1) + s * 1000).toISOString();

function vm(name: string, host: string, start: number, end: number, extra: Partial<VmRecord> = {}): VmRecord {
  return {
    name,
    priority: 1,
    host,
    cluster: 'c1',
    status: 'recovered',
    powerOnStartedAt: t(start),
    poweredOnAt: t(start + 1),
    toolsReadyAt: t(end),
    recoveredAt: t(end),
    callouts: [],
    ...extra,
  };
}

function report(overrides: Partial<RunReport> = {}): RunReport {
  return {
    runId: 'r1',
    plan: 'p',
    workflow: 'planned-migration',
    mode: 'planned',
    result: 'errors',
    startedAt: t(0),
    finishedAt: t(600),
    protectedSite: 'a',
    recoverySite: 'b',
    settings: {
      'storage.commandTimeout': 300,
      'storage.maxConcurrentCommandCnt': 2,
      'storageProvider.hostRescanRepeatCnt': 1,
      'storageProvider.hostRescanTimeoutSec': 300,
      'storageProvider.stretchedDevicesMatchTimeout': 300,
      'storageProvider.autoResignatureMode': 0,
      defaultMaxBootAndShutdownOpsPerCluster: null,
      defaultMaxBootAndShutdownOpsPerHost: 2,
      'recovery.forceRecovery': false,
      appliedCommandTimeoutSeconds: 390,
      liveVolumes: 1,
    },
    steps: [
      {
        id: 'promote-recovery-storage',
        title: 'Change recovery site storage to writable',
        status: 'error',
        startedAt: t(0),
        finishedAt: t(390),
        messages: ['failover timed out'],
        results: [
          {
            device: 'd1',
            status: 'error',
            code: 'DR_STORAGE_TIMEOUT',
            description: 'no answer',
            fixHint: 'Raise storage.commandTimeout',
          },
        ],
      },
      {
        id: 'rescan-hosts',
        title: 'Rescan recovery site hosts',
        target: 'h1',
        status: 'success',
        startedAt: t(390),
        finishedAt: t(400),
        messages: [],
        results: [],
      },
    ],
    vms: [
      vm('v1', 'h1', 0, 100),
      vm('v2', 'h1', 50, 150),
      vm('v3', 'h1', 100, 200),
      vm('v4', 'h2', 0, 10, { status: 'error', message: 'no Tools' }),
    ],
    storageCommands: [
      {
        command: 'syncOnce',
        devices: ['d1'],
        arrayId: 'A',
        startedAt: t(0),
        finishedAt: t(10),
        status: 'success',
        attempt: 1,
        timeoutSeconds: 390,
      },
      {
        command: 'syncOnce',
        devices: ['d2'],
        arrayId: 'B',
        startedAt: t(5),
        finishedAt: t(20),
        status: 'success',
        attempt: 1,
        timeoutSeconds: 390,
      },
      {
        command: 'failover',
        devices: ['d1'],
        arrayId: 'B',
        startedAt: t(20),
        finishedAt: t(410),
        status: 'timeout',
        attempt: 1,
        timeoutSeconds: 390,
        message: 'did not finish within 390 s',
      },
      {
        command: 'failover',
        devices: ['d1'],
        arrayId: 'B',
        startedAt: t(21),
        finishedAt: t(21),
        status: 'reused',
        attempt: 1,
        timeoutSeconds: 390,
      },
    ],
    prompts: [{ id: 'p1', text: 'Go on?', askedAt: t(1), answer: 'yes', answeredBy: 'alice', answeredAt: t(2) }],
    notes: ['something to know'],
    ...overrides,
  };
}

describe('peak overlaps from a report', () => {
  it('counts a slot handed over at the same instant once', () => {
    const peaks = peakOverlap(bootSpans(report(), 'host'));
    expect(peaks.get('h1')).toEqual({ key: 'h1', peak: 2, at: Date.parse(t(50)) });
    expect(highestPeak(peakOverlap(storageSpans(report())))?.peak).toBe(2);
  });
});

describe('the readable report summary', () => {
  it('says the result, the failed step with its fix hint, VMs, storage commands, prompts and notes', () => {
    const text = summarizeReport(report());
    expect(text).toContain('result: ERRORS');
    expect(text).toContain('commandTimeout 300 s → 390 s applied (1 Live Volume)');
    expect(text).toContain('d1: error DR_STORAGE_TIMEOUT — no answer (fix: Raise storage.commandTimeout)');
    expect(text).toContain('VMs: 4 — 3 recovered, 1 error');
    expect(text).toMatch(/error\s+v4 \(priority 1, h2\) — no Tools/);
    expect(text).toContain('boots at once: at most 2 on host h1 (limit 2), 2 in cluster c1 (no limit)');
    expect(text).toContain('Storage commands: 4 (at most 2 at once, limit 2; timeout 390 s)');
    expect(text).toContain('answered "yes" by alice');
    expect(text).toContain('Notes\n  something to know');
  });

  it('cuts long VM lists short', () => {
    const many = Array.from({ length: 40 }, (_, i) => vm(`v${i}`, `h${i}`, 0, 10, { status: 'error', message: 'x' }));
    const text = summarizeReport(report({ vms: many }));
    expect(text).toContain('… and 25 more');
  });
});

describe('exit codes and error messages', () => {
  it('maps results and errors to the documented codes', () => {
    expect(exitCodeForResult('success')).toBe(EXIT_CODES.success);
    for (const r of ['warnings', 'errors', 'incomplete', 'cancelled', 'interrupted'] as const)
      expect(exitCodeForResult(r)).toBe(1);
    expect(exitCodeForError(new DrError('DR_OPERATION_REFUSED', 'no'))).toBe(2);
    expect(exitCodeForError(new DrError('DR_SETTING_INVALID', 'no'))).toBe(2);
    expect(exitCodeForError(new DrError('DR_INTERNAL', 'boom'))).toBe(3);
    expect(exitCodeForError(new TypeError('x is undefined'))).toBe(3);
  });

  it('says an internal failure in one sentence, with the stack only under DRCTL_DEBUG=1', () => {
    const error = new TypeError('cannot read x\nmore detail');
    expect(describeError(error, {})).toBe(
      'drctl: internal failure: cannot read x (set DRCTL_DEBUG=1 to see the stack trace)',
    );
    expect(describeError(error, { DRCTL_DEBUG: '1' })).toMatch(/\n\s+at /);
    expect(
      describeError(
        new DrError('DR_INPUT_INVALID', 'Bad file.', { issues: [{ path: 'vms[2].priority', message: 'too big' }] }),
        {},
      ),
    ).toBe('drctl: Bad file.\n  vms[2].priority: too big');
  });
});
