import { afterAll, describe, expect, it } from '@jest/globals';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openWorkspace } from '@drctl/runtime';
import { formatYaml } from '@drctl/domain';
import { generateEnvironment } from '@drctl/simulator';
import { baselines, bootPhaseMs, observedTasks } from '../src/bench/bounds.js';
import { benchFigures, sizeFigures } from '../src/bench/figures.js';
import { benchmarkEnvironment } from '../src/bench/scenario.js';
import { figuresTable, verdictLines } from '../src/bench/table.js';
import type { SizeMeasurement } from '../src/bench/child.js';
import { tempDir } from './support/cli-process.js';

const dir = tempDir('bench');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the benchmark measures against bounds no schedule can beat', () => {
  it('on a small generated plan: lower bound ≤ drctl RTO ≤ naive batches, with the observed tasks', async () => {
    const path = join(dir, 'env.yaml');
    writeFileSync(path, formatYaml(generateEnvironment(benchmarkEnvironment(300))));
    const ws = await openWorkspace({ environmentPath: path, inMemory: true });
    const handle = await ws.drive(ws.engine.start({ plan: 'generated', workflow: 'disaster-recovery' }));
    const report = await ws.drive(handle.done);
    await ws.close();
    expect(report.result).toBe('success');

    const groups = observedTasks(ws.env, report);
    expect(groups.flat()).toHaveLength(report.vms.filter((v) => v.powerOnStartedAt).length);
    expect(groups.flat().some((t) => t.dependsOn.length > 0)).toBe(true);
    const b = await baselines(ws.env, report);
    const rto = bootPhaseMs(report);
    expect(b.lowerBoundMs).toBeGreaterThan(0);
    expect(rto).toBeGreaterThanOrEqual(b.lowerBoundMs);
    expect(b.schedulerOnlyMs).toBeGreaterThanOrEqual(b.lowerBoundMs);
    expect(b.naiveMs).toBeGreaterThan(rto);
    expect(b.naiveBatchSize).toBe(32 * new Set(groups.flat().map((t) => t.cluster)).size);
  });
});

describe('the benchmark figures', () => {
  const m = (vms: number, store: 'memory' | 'file', wall: number, rss: number): SizeMeasurement => ({
    vms,
    store,
    loadSeconds: 1,
    engineWallSeconds: wall,
    peakRssMegabytes: rss,
    result: 'success',
    simulatedRunSeconds: 5000,
    simulatedRtoSeconds: 3900,
    lowerBoundSeconds: 3800,
    naiveSeconds: 6000,
    naiveBatchSize: 1280,
    schedulerOnlySeconds: 3850,
    storageCommands: 6,
  });

  it('derives the ratios the issue names and says which targets are met', () => {
    const figures = benchFigures(
      [
        sizeFigures(m(10_000, 'memory', 2, 250), m(10_000, 'file', 2.4, 260)),
        sizeFigures(m(20_000, 'memory', 5, 400), m(20_000, 'file', 6, 410)),
      ],
      {
        node: '20',
        cpus: 2,
        loadAverageAtStart: [0, 0, 0],
        repeat: 1,
        startedAt: '2026-01-01T00:00:00Z',
        command: 'pnpm bench',
      },
    );
    expect(figures).toMatchObject({
      wallSeconds10k: 2,
      rssMegabytes10k: 250,
      scaling20kOver10k: 2.5,
      durableOverMemory: 1.2,
    });
    expect(figures.rtoOverLowerBound).toBeCloseTo(3900 / 3800);
    expect(figures.naiveOverLowerBound).toBeCloseTo(6000 / 3800);
    expect(figures.targets.scaling20kOver10k.met).toBe(false);
    expect(figures.targets.durableOverMemory.met).toBe(true);
    expect(verdictLines(figures).join('\n')).toContain('20k / 10k wall time: **2.50** (target ≤ 2.2: MISSED)');
    expect(figuresTable(figures).split('\n')[0]).toBe('| | 10,000 VMs | 20,000 VMs | target |');
  });
});
