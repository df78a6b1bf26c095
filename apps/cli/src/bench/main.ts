import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureStorageThroughput } from '@drctl/runtime';
import type { SizeMeasurement } from './child.js';
import { benchFigures, sizeFigures, type BenchFigures } from './figures.js';
import { BENCHMARK_SIZES, writeBenchmarkEnvironment } from './scenario.js';
import { figuresTable, verdictLines } from './table.js';
import { measureRoundTrips, roundTripsTable, roundTripsVerdict, type RoundTripFigures } from './round-trips.js';
import { measurePredict, predictLine } from './predict-figure.js';
import { VSPHERE_BENCH_VMS, measureVsphere, vsphereTable, vsphereVerdict } from './vsphere.js';
import type { VsphereMeasurement } from './vsphere-child.js';

const here = dirname(fileURLToPath(import.meta.url));
const CHILD = join(here, 'child.js');
const DOC_START = '<!-- bench:start -->';
const DOC_END = '<!-- bench:end -->';

interface BenchArgs {
  json: boolean;
  sizes: number[];
  repeat: number;
  write?: string;
  vsphere: boolean;
}

function parseArgs(argv: string[]): BenchArgs {
  const args: BenchArgs = { json: false, sizes: [...BENCHMARK_SIZES], repeat: 1, vsphere: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json') args.json = true;
    else if (a === '--sizes') args.sizes = argv[++i]!.split(',').map(Number);
    else if (a === '--repeat') args.repeat = Number(argv[++i]);
    else if (a === '--no-vsphere') args.vsphere = false;
    else if (a === '--write')
      args.write = argv[i + 1] && !argv[i + 1]!.startsWith('--') ? argv[++i]! : 'docs/benchmarks.md';
    else if (a === '--help' || a === '-h') {
      process.stdout.write(
        'Usage: pnpm bench [--json] [--sizes 1000,10000,20000] [--repeat N] [--no-vsphere] [--write [docs/benchmarks.md]]\n' +
          'Disaster recovery of generated plans under the virtual clock, each size and store in a fresh process.\n' +
          '--repeat N takes the median of N runs of each; --write puts the figures into the benchmarks page.\n' +
          `Then ${VSPHERE_BENCH_VMS} VMs recovered through the vSphere adapter against the lab vCenter (vcsim; --no-vsphere skips it).\n`,
      );
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  if (args.sizes.some((n) => !Number.isInteger(n) || n < 1) || !Number.isInteger(args.repeat) || args.repeat < 1)
    throw new Error('sizes and --repeat must be positive whole numbers');
  return args;
}

/** One measurement in a fresh node process, so each size's peak RSS is its own. */
function child(
  vms: number,
  store: 'memory' | 'file',
  baselines: boolean,
  environmentPath: string,
): Promise<SizeMeasurement> {
  return new Promise((resolvePromise, reject) => {
    const proc = spawn(
      process.execPath,
      [CHILD, String(vms), store, ...(baselines ? [] : ['--no-baselines']), '--env', environmentPath],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.on('error', reject);
    proc.on('close', (code) => {
      if (code !== 0) reject(new Error(`bench child (${vms} VMs, ${store}) exited ${code}`));
      else resolvePromise(JSON.parse(out.trim().split('\n').pop()!) as SizeMeasurement);
    });
  });
}

/** The run whose engine wall time is the median of the repeats (its other figures go with it). */
function median(runs: SizeMeasurement[]): SizeMeasurement {
  const sorted = [...runs].sort((a, b) => a.engineWallSeconds - b.engineWallSeconds);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

function commandLine(args: BenchArgs): string {
  const parts = ['pnpm bench'];
  if (args.sizes.join(',') !== BENCHMARK_SIZES.join(',')) parts.push(`--sizes ${args.sizes.join(',')}`);
  if (args.repeat > 1) parts.push(`--repeat ${args.repeat}`);
  if (!args.vsphere) parts.push('--no-vsphere');
  if (args.write) parts.push('--write');
  return parts.join(' ');
}

function writeDoc(
  path: string,
  figures: BenchFigures,
  roundTrips: RoundTripFigures,
  vsphere: VsphereMeasurement | undefined,
): void {
  const block = [
    DOC_START,
    `Produced by \`${figures.run.command}\` on ${figures.run.startedAt.slice(0, 10)} (Node ${figures.run.node}, ${figures.run.cpus} CPUs, load average ${figures.run.loadAverageAtStart.map((l) => l.toFixed(1)).join(' / ')} at the start; median of ${figures.run.repeat} run${figures.run.repeat > 1 ? 's' : ''} per cell):`,
    '',
    ...verdictLines(figures),
    roundTripsVerdict(roundTrips),
    ...(vsphere ? [vsphereVerdict(vsphere)] : []),
    '',
    figuresTable(figures),
    '',
    roundTripsTable(roundTrips),
    ...(vsphere ? ['', vsphereTable(vsphere)] : []),
    DOC_END,
  ].join('\n');
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const start = current.indexOf(DOC_START);
  const end = current.indexOf(DOC_END);
  const next =
    start >= 0 && end > start
      ? `${current.slice(0, start)}${block}${current.slice(end + DOC_END.length)}`
      : `${current}${current ? '\n\n' : '# Benchmarks\n\n'}${block}\n`;
  writeFileSync(path, next);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const run: BenchFigures['run'] = {
    node: process.versions.node,
    cpus: availableParallelism(),
    loadAverageAtStart: loadavg(),
    repeat: args.repeat,
    startedAt: new Date().toISOString(),
    command: commandLine(args),
  };
  const sizes = [];
  const scratch = mkdtempSync(join(tmpdir(), 'drctl-bench-'));
  // `drctl predict` on the 10,000-VM plan (or the largest size below it).
  const predictSize = Math.max(...args.sizes.filter((n) => n <= 10_000), Math.min(...args.sizes));
  let predictFigure: Awaited<ReturnType<typeof measurePredict>> | undefined;
  for (const vms of args.sizes) {
    const memory: SizeMeasurement[] = [];
    const file: SizeMeasurement[] = [];
    const environmentPath = writeBenchmarkEnvironment(vms, scratch);
    for (let r = 0; r < args.repeat; r++) {
      if (!args.json) process.stderr.write(`bench: ${vms.toLocaleString('en-US')} VMs, run ${r + 1}/${args.repeat}…\n`);
      memory.push(await child(vms, 'memory', r === 0, environmentPath));
      file.push(await child(vms, 'file', false, environmentPath));
    }
    if (vms === predictSize) {
      if (!args.json) process.stderr.write(`bench: drctl predict on ${vms.toLocaleString('en-US')} VMs…\n`);
      predictFigure = await measurePredict(vms, environmentPath, scratch);
    }
    // Baselines come from the first run: the simulated timings do not depend on the wall clock.
    const withBaselines = { ...median(memory), ...pickBaselines(memory[0]!) };
    sizes.push(sizeFigures(withBaselines, median(file)));
  }
  rmSync(scratch, { recursive: true, force: true });
  if (!args.json) process.stderr.write('bench: SC Series storage commands over HTTPS…\n');
  const storage = await measureStorageThroughput({ concurrency: 5 });
  if (!args.json) process.stderr.write('bench: SC Series round trips at 2, 20 and 200 devices per command…\n');
  const roundTrips = await measureRoundTrips();
  let vsphere: VsphereMeasurement | undefined;
  if (args.vsphere) {
    if (!args.json)
      process.stderr.write(`bench: ${VSPHERE_BENCH_VMS} VMs through the vSphere adapter against the lab vCenter…\n`);
    vsphere = await measureVsphere();
  }
  const figures = {
    ...benchFigures(sizes, run, storage),
    storageRoundTrips: roundTrips,
    ...(vsphere ? { vsphere } : {}),
    ...(predictFigure ? { predict: predictFigure } : {}),
  };
  if (args.json) {
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  } else {
    const vsphereText = vsphere
      ? { verdict: `${vsphereVerdict(vsphere)}\n`, table: `\n${vsphereTable(vsphere)}\n` }
      : undefined;
    process.stdout.write(
      `\ndrctl bench — ${run.command}\n\n${verdictLines(figures).join('\n')}\n${roundTripsVerdict(roundTrips)}\n${vsphereText?.verdict ?? ''}\n${figuresTable(figures)}\n\n${roundTripsTable(roundTrips)}\n${vsphereText?.table ?? ''}`,
    );
    if (predictFigure) process.stdout.write(`\n${predictLine(predictFigure)}\n`);
  }
  if (args.write) {
    const path = resolve(process.env['INIT_CWD'] ?? process.cwd(), args.write);
    writeDoc(path, figures, roundTrips, vsphere);
    if (!args.json) process.stdout.write(`\nWrote the figures into ${path}\n`);
  }
}

function pickBaselines(m: SizeMeasurement): Partial<SizeMeasurement> {
  return {
    lowerBoundSeconds: m.lowerBoundSeconds,
    naiveSeconds: m.naiveSeconds,
    naiveBatchSize: m.naiveBatchSize,
    schedulerOnlySeconds: m.schedulerOnlySeconds,
    simulatedRtoSeconds: m.simulatedRtoSeconds,
    simulatedRunSeconds: m.simulatedRunSeconds,
  };
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(3);
});
