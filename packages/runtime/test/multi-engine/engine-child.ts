// One drctl engine in its own process, for the multi-engine scenarios: `start` runs disaster
// recovery on the techsol example (SC Series through the in-process DSM simulator, the store in
// PostgreSQL) and may pause itself (SIGSTOP) or die (SIGKILL) right after a step is persisted;
// `watch` takes over runs whose engine stopped. Prints JSON lines with the DSM simulator's count
// of state-changing calls at each point.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { openStore, openWorkspace, takeOverInterrupted, watchOrphanedRuns, type Workspace } from '../../src/index.js';

interface ChildConfig {
  mode: 'start' | 'watch' | 'plan';
  /** `plan` mode: the plan and workflow to run, against the shared Data Collector, with `--set`s. */
  plan?: string;
  workflow?: 'test' | 'disaster-recovery';
  dataCollector?: { host: string; port: number; caPem: string };
  set?: string[];
  url: string;
  engineId: string;
  leaseMs: number;
  pauseAfter?: string;
  crashAfter?: string;
  /** Dies (SIGKILL) once this storage command is journalled as started, before it is sent. */
  crashBeforeCommand?: string;
}

const config = JSON.parse(process.argv[2] ?? '{}') as ChildConfig;
const ENVIRONMENT = fileURLToPath(new URL('../../../../examples/techsol/environment.yaml', import.meta.url));
const PLAN = 'Protect vcsite1';
const logger = pino({ level: process.env['DRCTL_CHILD_LOG'] ?? 'silent' }, pino.destination(2));
const emit = (line: Record<string, unknown>) =>
  process.stdout.write(`${JSON.stringify({ engine: config.engineId, ...line })}\n`);
const stateChanging = (ws: Workspace | undefined) => ws?.dsm?.counters.count() ?? -1;
const realDelay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function open(onStep?: (step: string) => void, onCommand?: (command: string) => void): Promise<Workspace> {
  return openWorkspace({
    environmentPath: ENVIRONMENT,
    stateDir: mkdtempSync(join(tmpdir(), 'drctl-engine-')),
    store: config.url,
    engineId: config.engineId,
    leaseMs: config.leaseMs,
    storage: 'sc-series',
    logger,
    autoAnswer: { answer: 'ok', by: config.engineId },
    ...(onStep ? { onStepPersisted: (info) => onStep(info.step) } : {}),
    ...(onCommand ? { onCommandAnnounced: (info) => onCommand(info.command) } : {}),
    ...(config.dataCollector ? { dataCollector: config.dataCollector } : {}),
    ...(config.set ? { set: config.set } : {}),
  });
}

/** Runs one plan to its end, its SC Series commands going to the Data Collector the test shares. */
async function runPlan(): Promise<void> {
  const ws = await open();
  emit({ type: 'opened' });
  const handle = await ws.drive(ws.engine.start({ plan: config.plan!, workflow: config.workflow ?? 'test' }));
  const report = await ws.drive(handle.done);
  emit({
    type: 'finished',
    runId: handle.runId,
    result: report.result,
    commands: report.storageCommands.filter((c) => c.status !== 'reused').length,
  });
  await ws.close().catch(() => undefined);
  process.exit(0);
}

async function start(): Promise<void> {
  // The step callback reads the workspace that `open` is still creating.
  const opened: { ws?: Workspace } = {};
  const ws = await open(
    (step) => {
      emit({ type: 'step', step, stateChanging: stateChanging(opened.ws) });
      if (step === config.crashAfter) process.kill(process.pid, 'SIGKILL');
      if (step === config.pauseAfter) {
        emit({ type: 'pausing', step, stateChanging: stateChanging(opened.ws) });
        process.kill(process.pid, 'SIGSTOP');
        emit({ type: 'continued', stateChanging: stateChanging(opened.ws) });
      }
    },
    (command) => {
      if (command !== config.crashBeforeCommand) return;
      emit({ type: 'announced', command, stateChanging: stateChanging(opened.ws) });
      process.kill(process.pid, 'SIGKILL');
    },
  );
  opened.ws = ws;
  const handle = await ws.drive(ws.engine.start({ plan: PLAN, workflow: 'disaster-recovery' }));
  emit({ type: 'started', runId: handle.runId });
  try {
    const report = await ws.drive(handle.done);
    emit({ type: 'finished', runId: handle.runId, result: report.result, stateChanging: stateChanging(ws) });
  } catch (error) {
    emit({ type: 'lost', code: (error as { code?: string }).code, stateChanging: stateChanging(ws) });
    // Whatever the lost run still had in flight gets two seconds (and virtual time) to try.
    await ws.drive(realDelay(2000));
    emit({ type: 'ended', stateChanging: stateChanging(ws) });
  }
  await ws.close().catch(() => undefined);
  process.exit(0);
}

async function watch(): Promise<void> {
  const watching = openStore({ store: config.url, engineId: config.engineId, leaseMs: config.leaseMs }, '');
  const watcher = watchOrphanedRuns(() => watching.ownership, {
    intervalMs: Math.max(50, Math.floor(config.leaseMs / 5)),
    logger,
    onOrphans: async (orphans) => {
      emit({ type: 'orphans', runIds: orphans.map((o) => o.runId) });
      // A takeover opens the shared state afresh (the simulated world as the last owner left it).
      const ws = await open();
      try {
        const handles = await ws.drive(takeOverInterrupted(ws, logger));
        emit({ type: 'took-over', runIds: handles.map((h) => h.runId), stateChanging: stateChanging(ws) });
        for (const handle of handles) {
          const report = await ws.drive(handle.done);
          emit({
            type: 'finished',
            runId: handle.runId,
            result: report.result,
            stateChanging: stateChanging(ws),
            repeated: ws.dsm?.counters.repeated() ?? [],
          });
        }
      } finally {
        await ws.close();
      }
    },
  });
  emit({ type: 'watching' });
  process.once('SIGTERM', () => {
    void watcher
      .stop()
      .then(() => watching.close())
      .finally(() => process.exit(0));
  });
}

await (config.mode === 'start' ? start() : config.mode === 'plan' ? runPlan() : watch());
