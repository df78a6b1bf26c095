import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWorkspace } from '@drctl/runtime';
import { createScratchDatabase } from '@drctl/store-postgres';
import { baselines, bootPhaseMs } from './bounds.js';
import { writeBenchmarkEnvironment } from './scenario.js';

export type BenchStore = 'memory' | 'file' | 'postgres';

/** What one size measures, in one fresh process (so the RSS is this size's alone). */
export interface SizeMeasurement {
  vms: number;
  store: BenchStore;
  /** Reading, validating and opening the environment (not part of the engine time). */
  loadSeconds: number;
  /** engine.start → report, real time. */
  engineWallSeconds: number;
  peakRssMegabytes: number;
  result: string;
  /** The whole run on the engine's (virtual) clock. */
  simulatedRunSeconds: number;
  /** The boot phase (priority 1 … 5) on the engine's clock: what the scheduler controls. */
  simulatedRtoSeconds: number;
  lowerBoundSeconds: number;
  naiveSeconds: number;
  naiveBatchSize: number;
  schedulerOnlySeconds: number;
  storageCommands: number;
}

async function measure(
  vms: number,
  store: BenchStore,
  withBaselines: boolean,
  environmentPath?: string,
): Promise<SizeMeasurement> {
  const dir = mkdtempSync(join(tmpdir(), `drctl-bench-${vms}-`));
  // PostgreSQL: a fresh database in the server the bench started (DRCTL_BENCH_PG_URL).
  const adminUrl = process.env['DRCTL_BENCH_PG_URL'];
  if (store === 'postgres' && !adminUrl) throw new Error('DRCTL_BENCH_PG_URL is not set');
  const database = store === 'postgres' ? await createScratchDatabase(adminUrl!, 'drctl_bench') : undefined;
  try {
    const path = environmentPath ?? writeBenchmarkEnvironment(vms, dir);
    const loadStart = performance.now();
    const ws = await openWorkspace({
      environmentPath: path,
      ...(store === 'memory' ? { inMemory: true } : { stateDir: join(dir, 'state') }),
      ...(database ? { store: database.url, engineId: 'bench' } : {}),
      // A takeover rehearsal (bench/takeover.ts): the owner dies once this step is durable.
      ...(process.env['DRCTL_BENCH_CRASH_AFTER']
        ? { inject: [`crash-after:${process.env['DRCTL_BENCH_CRASH_AFTER']}`], store: adminUrl!, leaseMs: leaseMs() }
        : {}),
    });
    const loadSeconds = (performance.now() - loadStart) / 1000;
    const start = performance.now();
    const handle = await ws.drive(ws.engine.start({ plan: 'generated', workflow: 'disaster-recovery' }));
    const report = await ws.drive(handle.done);
    const engineWallSeconds = (performance.now() - start) / 1000;
    await ws.close();
    const peakRssMegabytes = process.resourceUsage().maxRSS / 1024;
    const base = withBaselines ? await baselines(ws.env, report) : undefined;
    return {
      vms,
      store,
      loadSeconds,
      engineWallSeconds,
      peakRssMegabytes,
      result: report.result,
      simulatedRunSeconds: (Date.parse(report.finishedAt!) - Date.parse(report.startedAt)) / 1000,
      simulatedRtoSeconds: bootPhaseMs(report) / 1000,
      lowerBoundSeconds: (base?.lowerBoundMs ?? NaN) / 1000,
      naiveSeconds: (base?.naiveMs ?? NaN) / 1000,
      naiveBatchSize: base?.naiveBatchSize ?? 0,
      schedulerOnlySeconds: (base?.schedulerOnlyMs ?? NaN) / 1000,
      storageCommands: report.storageCommands.length,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await database?.drop();
  }
}

/** The run lease of the takeover rehearsal (DRCTL_BENCH_LEASE_MS). */
export function leaseMs(): number {
  return Number(process.env['DRCTL_BENCH_LEASE_MS'] ?? 3000);
}

// Run as a child of bench/main.js: `child.js VMS memory|file|postgres [--no-baselines] [--env FILE]`, one
// JSON line out. Without --env it writes its own environment first (that then counts in its RSS).
const argv = process.argv.slice(2);
const envAt = argv.indexOf('--env');
const environmentPath = envAt >= 0 ? argv.splice(envAt, 2)[1] : undefined;
const [vmsText, storeText, flag] = argv;
const vms = Number(vmsText);
if (!Number.isInteger(vms) || vms < 1 || (storeText !== 'memory' && storeText !== 'file' && storeText !== 'postgres')) {
  process.stderr.write('usage: child.js VMS memory|file|postgres [--no-baselines] [--env FILE]\n');
  process.exit(2);
}
const measurement = await measure(vms, storeText, flag !== '--no-baselines', environmentPath);
process.stdout.write(`${JSON.stringify(measurement)}\n`);
