import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { VirtualClock, type RunReport } from '@drctl/domain';
import { startDsmSimulator } from '@drctl/dsm-simulator';
import { createScratchDatabase, PostgresStore, type ScratchDatabase } from '@drctl/store-postgres';
import { readEnvironment } from '../../src/index.js';
import { readRunReport } from '@drctl/workflows';

const REGISTER = fileURLToPath(new URL('../../../../test-support/register-ts.mjs', import.meta.url));
const CHILD = fileURLToPath(new URL('./engine-child.ts', import.meta.url));
/** Short enough to keep the scenarios quick, long enough for a busy 2-core machine's heartbeats. */
const LEASE_MS = 2500;

interface Line {
  engine: string;
  type: string;
  [field: string]: unknown;
}

/** An engine process and the JSON lines it printed so far. */
class EngineProcess {
  readonly lines: Line[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiters: Array<() => void> = [];
  private stderr = '';

  constructor(config: Record<string, unknown>, env: Record<string, string> = {}) {
    this.child = spawn(
      process.execPath,
      [
        '--conditions=@drctl/source',
        '--conditions=development',
        '--import',
        REGISTER,
        CHILD,
        JSON.stringify({ leaseMs: LEASE_MS, ...config }),
      ],
      { stdio: 'pipe', env: { ...process.env, ...env } },
    );
    let buffer = '';
    this.child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        this.lines.push(JSON.parse(buffer.slice(0, newline)) as Line);
        buffer = buffer.slice(newline + 1);
        this.waiters.splice(0).forEach((wake) => wake());
      }
    });
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code, signal) => {
        this.waiters.splice(0).forEach((wake) => wake());
        resolve({ code, signal });
      }),
    );
  }

  /** The first line of this type (waits for it; fails when the process ends without it). */
  async line(type: string, timeoutMs = 40_000): Promise<Line> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.find((l) => l.type === type);
      if (found) return found;
      if (this.child.exitCode !== null || this.child.signalCode !== null || Date.now() > deadline) {
        throw new Error(`no "${type}" line; got ${JSON.stringify(this.lines)}; stderr: ${this.stderr.slice(-2000)}`);
      }
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }
}

let database: ScratchDatabase;
const running: EngineProcess[] = [];

/** The PostgreSQL jest's globalSetup started (scripts/jest/postgres-setup.mjs). */
function testPostgresUrl(): string {
  const url = process.env['DRCTL_TEST_PG_URL'];
  if (!url) throw new Error('DRCTL_TEST_PG_URL is not set: jest globalSetup did not start PostgreSQL.');
  return url;
}

beforeAll(async () => {
  database = await createScratchDatabase(testPostgresUrl(), 'drctl_test');
});

afterEach(async () => {
  for (const engine of running.splice(0)) {
    engine.signal('SIGCONT');
    engine.signal('SIGKILL');
    await engine.exited;
  }
});

afterAll(async () => {
  await database.drop();
});

function engine(config: Record<string, unknown>, env: Record<string, string> = {}): EngineProcess {
  const started = new EngineProcess({ url: database.url, ...config }, env);
  running.push(started);
  return started;
}

async function storedReport(runId: string): Promise<RunReport | undefined> {
  const store = new PostgresStore({ url: database.url });
  try {
    return await readRunReport(store, runId);
  } finally {
    await store.close();
  }
}

async function resetState(): Promise<void> {
  const store = new PostgresStore({ url: database.url });
  try {
    await store.ready();
    for (const top of await store.list('')) await store.delete(top);
  } finally {
    await store.close();
  }
}

describe('several engines sharing PostgreSQL', () => {
  it('finishes a disaster recovery on another engine when its owner is killed mid-run, sending nothing twice', async () => {
    await resetState();
    const watcher = engine({ mode: 'watch', engineId: 'site-b' });
    await watcher.line('watching');
    const owner = engine({ mode: 'start', engineId: 'site-a', crashAfter: 'sync-storage' });
    const started = await owner.line('started');
    expect(await owner.exited).toEqual({ code: null, signal: 'SIGKILL' });

    const finished = await watcher.line('finished', 60_000);
    expect(finished).toMatchObject({ runId: started['runId'], result: 'success', repeated: [] });
    const report = await storedReport(String(started['runId']));
    expect(report?.result).toBe('success');
    expect(report?.notes.join('\n')).toMatch(
      /engine site-b took the run over .* from engine site-a, whose lease expired/,
    );
    const ranBy = new Map(report?.steps.filter((s) => s.target === undefined).map((s) => [s.id, s.engine]));
    expect(ranBy.get('sync-storage')).toBe('site-a');
    expect(ranBy.get('promote-recovery-storage')).toBe('site-b');
    expect(ranBy.get('power-on-priority-1')).toBe('site-b');
  });

  it('finishes a disaster recovery whose owner died between journalling a command and sending it, sending it once', async () => {
    await resetState();
    const watcher = engine({ mode: 'watch', engineId: 'site-b' });
    await watcher.line('watching');
    // The storage failover is journalled as started; the process dies before the request leaves.
    const owner = engine({ mode: 'start', engineId: 'site-a', crashBeforeCommand: 'failover' });
    const started = await owner.line('started');
    const announced = await owner.line('announced');
    expect(await owner.exited).toEqual({ code: null, signal: 'SIGKILL' });

    const finished = await watcher.line('finished', 60_000);
    // Every state-changing DSM call happened once: the announced failover was sent by site-b only.
    expect(finished).toMatchObject({ runId: started['runId'], result: 'success', repeated: [] });
    expect(Number(finished['stateChanging'])).toBeGreaterThan(Number(announced['stateChanging']));
    const report = await storedReport(String(started['runId']));
    const failover = report?.storageCommands.filter((c) => c.command === 'failover') ?? [];
    expect(failover.length).toBeGreaterThan(0);
    expect(failover.every((c) => c.status === 'success')).toBe(true);
    const ranBy = new Map(report?.steps.filter((s) => s.target === undefined).map((s) => [s.id, s.engine]));
    expect(ranBy.get('promote-recovery-storage')).toBe('site-b');
  });

  it('keeps an owner paused past its lease from sending anything once another engine took over', async () => {
    await resetState();
    const watcher = engine({ mode: 'watch', engineId: 'site-b' });
    await watcher.line('watching');
    // Paused right after the step before the storage failover: the next thing it would do is send it.
    const owner = engine({ mode: 'start', engineId: 'site-a', pauseAfter: 'suspend-recovery-vms' });
    const started = await owner.line('started');
    const pausing = await owner.line('pausing');

    const finished = await watcher.line('finished', 60_000);
    expect(finished).toMatchObject({ runId: started['runId'], result: 'success', repeated: [] });
    // The new owner did the failover the paused one was about to send.
    expect(Number(finished['stateChanging'])).toBeGreaterThan(Number(pausing['stateChanging']));

    owner.signal('SIGCONT');
    const lost = await owner.line('lost');
    expect(lost['code']).toBe('DR_LEASE_LOST');
    const ended = await owner.line('ended');
    // Zero state-changing DSM calls from the old owner after the takeover.
    expect(ended['stateChanging']).toBe(pausing['stateChanging']);
    const report = await storedReport(String(started['runId']));
    expect(report?.result).toBe('success');
    expect(report?.notes.join('\n')).toContain('from engine site-a');
  });

  it('holds storage.maxConcurrentCommandCnt across engines: one Data Collector never serves two engines at once', async () => {
    await resetState();
    // One DSM simulator for both engines, every state-changing request slowed so that commands
    // of two engines would overlap on it if nothing held them apart.
    const environment = fileURLToPath(new URL('../../../../examples/techsol/environment.yaml', import.meta.url));
    const password = 'shared-collector-secret';
    // Its own virtual time, running 500 times faster than real time: replication transfers
    // finish in real milliseconds, while the slowed requests still overlap in real time.
    const dsmClock = new VirtualClock();
    const driving = setInterval(() => void dsmClock.advance(10_000), 20);
    const dsm = await startDsmSimulator({
      clock: dsmClock,
      environment: readEnvironment(environment),
      credentials: [{ username: 'srmadmin', password }],
    });
    try {
      dsm.faults.add({ kind: 'latency', ms: 150, method: 'POST' });
      const shared = { mode: 'plan', workflow: 'test', set: ['storage.maxConcurrentCommandCnt=1'] };
      const collector = { host: dsm.host, port: dsm.port, caPem: dsm.caPem };
      const secret = { DRCTL_DSM_PASSWORD: password };
      const first = engine(
        { ...shared, plan: 'Protect vcsite1', engineId: 'site-a', dataCollector: collector },
        secret,
      );
      const second = engine(
        { ...shared, plan: 'Protect vcsite2', engineId: 'site-b', dataCollector: collector },
        secret,
      );
      const [a, b] = await Promise.all([first.line('finished', 120_000), second.line('finished', 120_000)]);
      expect(a['result']).toBe('success');
      expect(b['result']).toBe('success');
      expect(Number(a['commands'])).toBeGreaterThan(0);
      expect(Number(b['commands'])).toBeGreaterThan(0);
      const inFlight = dsm.requests.changesInFlight;
      // Both engines changed the arrays, never two of them at the same moment (without the
      // cross-engine slots this run measures a peak of 2 sessions and 5 requests).
      expect(dsm.counters.count()).toBeGreaterThan(1);
      expect(inFlight.peakSessions).toBe(1);
    } finally {
      await dsm.close();
      clearInterval(driving);
    }
  }, 150_000);
});
