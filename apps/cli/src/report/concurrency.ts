import type { RunReport } from '@drctl/domain';

/** A span of time something held a resource, ms since the epoch; `end` is exclusive. */
export interface Span {
  key: string;
  start: number;
  end: number;
}

export interface Peak {
  key: string;
  peak: number;
  /** When the peak was first reached, ms. */
  at: number;
}

/**
 * The most spans overlapping at any instant, per key. A span ending at the instant another starts
 * does not overlap it (a slot is handed over). O(n log n).
 */
export function peakOverlap(spans: readonly Span[]): Map<string, Peak> {
  const edges: Array<{ key: string; at: number; delta: 1 | -1 }> = [];
  for (const s of spans) {
    if (!(s.end > s.start)) continue;
    edges.push({ key: s.key, at: s.start, delta: 1 }, { key: s.key, at: s.end, delta: -1 });
  }
  edges.sort((a, b) => a.at - b.at || a.delta - b.delta);
  const current = new Map<string, number>();
  const peaks = new Map<string, Peak>();
  for (const e of edges) {
    const value = (current.get(e.key) ?? 0) + e.delta;
    current.set(e.key, value);
    const known = peaks.get(e.key);
    if (!known || value > known.peak) peaks.set(e.key, { key: e.key, peak: value, at: e.at });
  }
  return peaks;
}

/**
 * How long each VM held its boot slot: from the power-on task until VMware Tools answered (or the
 * power-on finished, when the plan does not wait for Tools).
 */
export function bootSpans(report: RunReport, by: 'host' | 'cluster'): Span[] {
  const spans: Span[] = [];
  for (const vm of report.vms) {
    const end = vm.toolsReadyAt ?? vm.poweredOnAt;
    if (!vm.powerOnStartedAt || !end) continue;
    spans.push({
      key: by === 'host' ? vm.host : vm.cluster,
      start: Date.parse(vm.powerOnStartedAt),
      end: Date.parse(end),
    });
  }
  return spans;
}

/** Storage commands in flight at once (every array, every command), from the report. */
export function storageSpans(report: RunReport): Span[] {
  return report.storageCommands
    .filter((c) => c.status !== 'reused' && c.finishedAt !== undefined)
    .map((c) => ({ key: 'storage', start: Date.parse(c.startedAt), end: Date.parse(c.finishedAt!) }));
}

/** The highest of the peaks, 0 when there is none. */
export function highestPeak(peaks: Map<string, Peak>): Peak | undefined {
  let best: Peak | undefined;
  for (const p of peaks.values()) if (!best || p.peak > best.peak) best = p;
  return best;
}
