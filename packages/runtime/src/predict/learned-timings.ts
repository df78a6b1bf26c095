import { existsSync } from 'node:fs';
import type { Environment, RunReport } from '@drctl/domain';
import { FileStore } from '@drctl/store';
import { readAllRunReports } from '@drctl/workflows';

/** Where a VM's predicted heartbeat time comes from. */
export type TimingSource = 'history' | 'environment';

export interface LearnedTimings {
  /** The environment with each VM's `toolsSeconds` replaced by what earlier runs measured. */
  env: Environment;
  source: Map<string, TimingSource>;
  /** How many earlier run reports were read. */
  reports: number;
}

/** At most this many of a VM's most recent measurements count; older ones describe an older VM. */
const RECENT_SAMPLES = 5;

/**
 * Learns each VM's heartbeat time (power-on done → first VMware Tools heartbeat, what its boot
 * slot waits for) from the environment's earlier run reports: the median of its latest
 * measurements. VMs no run has powered on keep the environment file's `toolsSeconds`.
 */
export function learnTimings(env: Environment, reports: readonly RunReport[]): LearnedTimings {
  const samples = new Map<string, number[]>();
  const newestFirst = [...reports].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  for (const report of newestFirst) {
    for (const vm of report.vms) {
      if (!vm.poweredOnAt || !vm.toolsReadyAt) continue;
      const seconds = (Date.parse(vm.toolsReadyAt) - Date.parse(vm.poweredOnAt)) / 1000;
      if (!(seconds >= 0)) continue;
      const list = samples.get(vm.name) ?? [];
      if (list.length < RECENT_SAMPLES) list.push(seconds);
      samples.set(vm.name, list);
    }
  }
  const source = new Map<string, TimingSource>();
  const vms = env.vms.map((vm) => {
    const list = samples.get(vm.name);
    if (!list || list.length === 0) {
      source.set(vm.name, 'environment');
      return vm;
    }
    source.set(vm.name, 'history');
    return { ...vm, toolsSeconds: median(list) };
  });
  return { env: { ...env, vms }, source, reports: reports.length };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Every run report kept in a state folder (none when it does not exist yet). */
export async function readRunReports(stateDir: string): Promise<RunReport[]> {
  if (!existsSync(stateDir)) return [];
  const store = new FileStore(stateDir);
  return readAllRunReports(store);
}
