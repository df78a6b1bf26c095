import { ENGINE_BEFORE, type BenchFigures, type SizeFigures } from './figures.js';

const fixed = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : '—');
const minutes = (seconds: number) => (Number.isFinite(seconds) ? `${(seconds / 60).toFixed(1)} min` : '—');

interface Row {
  label: string;
  cell: (s: SizeFigures) => string;
  target?: string;
}

const ROWS: Row[] = [
  {
    label: 'engine wall time, in memory',
    cell: (s) => `${fixed(s.memory.engineWallSeconds, 2)} s`,
    target: '10k: ≤ 2 s; 20k/10k ≤ 2.2',
  },
  {
    label: 'engine wall time, file store (fsync)',
    cell: (s) => `${fixed(s.file.engineWallSeconds, 2)} s`,
    target: '10k: ≤ 2 s',
  },
  { label: 'durable / in-memory', cell: (s) => fixed(s.durableOverMemory, 2), target: '≤ 1.3' },
  {
    label: 'engine wall time, PostgreSQL store',
    cell: (s) => (s.postgres ? `${fixed(s.postgres.engineWallSeconds, 2)} s` : '—'),
  },
  { label: 'PostgreSQL / in-memory', cell: (s) => fixed(s.postgresOverMemory, 2) },
  {
    label: 'peak RSS (in-memory process)',
    cell: (s) => `${fixed(s.memory.peakRssMegabytes, 0)} MB`,
    target: '10k: ≤ 250 MB',
  },
  { label: 'peak RSS (file-store process)', cell: (s) => `${fixed(s.file.peakRssMegabytes, 0)} MB` },
  { label: 'load + validate the environment', cell: (s) => `${fixed(s.memory.loadSeconds, 2)} s` },
  { label: 'simulated run (whole DR)', cell: (s) => minutes(s.memory.simulatedRunSeconds) },
  { label: 'simulated RTO (boot phase, P1…P5)', cell: (s) => minutes(s.memory.simulatedRtoSeconds) },
  { label: 'RTO lower bound', cell: (s) => minutes(s.memory.lowerBoundSeconds) },
  { label: 'naive fixed batches', cell: (s) => `${minutes(s.memory.naiveSeconds)} (batch ${s.memory.naiveBatchSize})` },
  { label: 'drctl RTO / lower bound', cell: (s) => fixed(s.rtoOverLowerBound, 3), target: '≤ 1.05' },
  { label: 'naive RTO / lower bound', cell: (s) => fixed(s.naiveOverLowerBound, 3) },
  { label: 'scheduler alone / lower bound', cell: (s) => fixed(s.schedulerOnlyOverLowerBound, 3) },
];

/** The figures as a Markdown table, sizes side by side. */
export function figuresTable(figures: BenchFigures): string {
  const head = `| | ${figures.sizes.map((s) => `${s.vms.toLocaleString('en-US')} VMs`).join(' | ')} | target |`;
  const rule = `|---|${figures.sizes.map(() => '---:').join('|')}|---|`;
  const rows = ROWS.map((r) => `| ${r.label} | ${figures.sizes.map(r.cell).join(' | ')} | ${r.target ?? ''} |`);
  return [head, rule, ...rows].join('\n');
}

/** The headline figures against their targets. */
export function verdictLines(figures: BenchFigures): string[] {
  const t = figures.targets;
  const mark = (met: boolean | undefined) => (met === undefined ? 'not measured' : met ? 'met' : 'MISSED');
  return [
    `- RTO / lower bound (worst size): **${fixed(figures.rtoOverLowerBound, 3)}** (target ${t.rtoOverLowerBound.target}: ${mark(t.rtoOverLowerBound.met)}); naive batches at that size: ${fixed(figures.naiveOverLowerBound, 3)}`,
    `- 10,000 VMs engine wall time: **${fixed(figures.wallSeconds10k, 2)} s** in memory (main ${ENGINE_BEFORE.commit}: ${fixed(ENGINE_BEFORE.wallSeconds10k, 2)} s; target ${t.wallSeconds10k.target}: ${mark(t.wallSeconds10k.met)}), **${fixed(figures.fileWallSeconds10k, 2)} s** with the file store (main ${ENGINE_BEFORE.commit}: ${fixed(ENGINE_BEFORE.fileWallSeconds10k, 2)} s; target ${t.fileWallSeconds10k.target}: ${mark(t.fileWallSeconds10k.met)})`,
    `- 10,000 VMs peak RSS: **${fixed(figures.rssMegabytes10k, 0)} MB** (main ${ENGINE_BEFORE.commit}: ${fixed(ENGINE_BEFORE.rssMegabytes10k, 0)} MB; target ${t.rssMegabytes10k.target}: ${mark(t.rssMegabytes10k.met)})`,
    `- 20k / 10k wall time: **${fixed(figures.scaling20kOver10k, 2)}** (target ${t.scaling20kOver10k.target}: ${mark(t.scaling20kOver10k.met)})`,
    `- durable / in-memory wall time at 10k: **${fixed(figures.durableOverMemory, 2)}** (target ${t.durableOverMemory.target}: ${mark(t.durableOverMemory.met)})`,
    ...(figures.storage
      ? [
          `- SC Series storage commands through adapter + DSM simulator (HTTPS, ${figures.storage.concurrency} in flight): **${fixed(figures.storage.commandsPerSecond, 1)}/s**, ${fixed(figures.storage.requestsPerCommand, 1)} requests per command; one command costs **${fixed(figures.storage.overheadRatio, 1)}×** a bare undici request (${fixed(figures.storage.perRequestOverheadRatio, 2)}× per request)`,
        ]
      : []),
  ];
}
