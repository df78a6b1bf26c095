import { groupLowerBound, type GroupLowerBound } from './lower-bound.js';
import { normalizeLimit, type SlotLimits } from './limits.js';
import { remainingPaths } from './ranking.js';
import { buildTaskGraph, type SchedulableTask } from './task-graph.js';

/** What holds a priority group back: the largest of its lower bounds, and who imposes it. */
export type BindingKind = 'host-limit' | 'cluster-limit' | 'dependency-chain' | 'slow-vm' | 'none';

export interface BindingConstraint {
  kind: BindingKind;
  /** The host, the cluster, the chain (`a → b → c`) or the VM; empty for an empty group. */
  subject: string;
  /** The bound it imposes, ms. */
  boundMs: number;
  lowerBound: GroupLowerBound;
}

/**
 * The binding constraint of one priority group under `limits`: the bound of `groupLowerBound`
 * that is largest, with the host, cluster, dependency chain or VM behind it. Ties go to the
 * limit an operator can change (host, then cluster) before the ones only the VMs can.
 */
export function bindingConstraint(tasks: readonly SchedulableTask[], limits: SlotLimits): BindingConstraint {
  const lowerBound = groupLowerBound(tasks, limits);
  if (tasks.length === 0) return { kind: 'none', subject: '', boundMs: 0, lowerBound };
  const busiest = (key: (t: SchedulableTask) => string, limit: (k: string) => number) => {
    const work = new Map<string, number>();
    for (const t of tasks) work.set(key(t), (work.get(key(t)) ?? 0) + t.estimateMs);
    let best = { subject: '', ms: -1 };
    for (const [subject, ms] of work) {
      const bound = ms / limit(subject);
      if (bound > best.ms) best = { subject, ms: bound };
    }
    return best.subject;
  };
  const candidates: Array<{ kind: BindingKind; ms: number; subject: () => string }> = [
    {
      kind: 'host-limit',
      ms: lowerBound.hostWorkMs,
      subject: () =>
        busiest(
          (t) => t.host,
          (h) => normalizeLimit(limits.hostLimit(h), `host ${h}`),
        ),
    },
    {
      kind: 'cluster-limit',
      ms: lowerBound.clusterWorkMs,
      subject: () =>
        busiest(
          (t) => t.cluster,
          (c) => normalizeLimit(limits.clusterLimit(c), `cluster ${c}`),
        ),
    },
    { kind: 'dependency-chain', ms: lowerBound.criticalPathMs, subject: () => longestChain(tasks) },
    {
      kind: 'slow-vm',
      ms: lowerBound.longestTaskMs,
      subject: () => tasks.reduce((a, b) => (b.estimateMs > a.estimateMs ? b : a)).id,
    },
  ];
  // A chain of one VM is that VM being slow; call it so.
  const chain = candidates[2]!;
  if (chain.ms === lowerBound.longestTaskMs) chain.ms = -1;
  const top = candidates.reduce((a, b) => (b.ms > a.ms ? b : a));
  return { kind: top.kind, subject: top.subject(), boundMs: lowerBound.boundMs, lowerBound };
}

/** The longest dependency chain of a group, first VM first. */
function longestChain(tasks: readonly SchedulableTask[]): string {
  const graph = buildTaskGraph(tasks);
  const remaining = remainingPaths(tasks, graph);
  let i = remaining.indexOf(Math.max(...remaining));
  const chain = [tasks[i]!.id];
  for (;;) {
    let next = -1;
    for (let e = graph.dependentStart[i]!; e < graph.dependentStart[i + 1]!; e++) {
      const d = graph.dependentList[e]!;
      if (next < 0 || remaining[d]! > remaining[next]!) next = d;
    }
    if (next < 0) break;
    chain.push(tasks[next]!.id);
    i = next;
  }
  return chain.join(' → ');
}
