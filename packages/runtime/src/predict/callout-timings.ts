import type { Callout, Environment, RecoveryPlan, RunReport } from '@drctl/domain';

/** Where a callout's predicted duration comes from. */
export type CalloutTimingSource = 'history' | 'timeout';

/** One command or webhook callout of the plan and the time the prediction gives it. */
export interface CalloutTiming {
  /** `plan/<step>/<name>` or `vm/<vm>/<phase>/<name>`. */
  key: string;
  name: string;
  type: 'command' | 'webhook';
  phase: 'plan' | 'pre-power-on' | 'post-power-on';
  /** The VM of a pre- or post-power-on callout. */
  vm?: string;
  /** The step a plan-level callout runs before (`end`: at the end of the workflow). */
  before?: string;
  predictedMs: number;
  /** `history`: the median of its latest runs; `timeout`: none, so its declared timeout. */
  source: CalloutTimingSource;
  /** How many earlier runs measured it. */
  samples: number;
}

/** At most this many of a callout's most recent measurements count, as for the VMs' heartbeat times. */
const RECENT_SAMPLES = 5;

/** The name the engine records a callout under (its `name`, else what it runs). */
export function calloutName(callout: Callout, index: number): string {
  if (callout.name) return callout.name;
  if (callout.type === 'command') return `${callout.command} ${callout.args.join(' ')}`.trim();
  if (callout.type === 'webhook') return `POST ${callout.url}`;
  return `prompt ${index + 1}`;
}

const planKey = (step: string, name: string) => `plan/${step}/${name}`;
const vmKey = (vm: string, phase: string, name: string) => `vm/${vm}/${phase}/${name}`;

/** Each callout's measured durations in earlier run reports, newest first. */
function measuredDurations(reports: readonly RunReport[]): Map<string, number[]> {
  const samples = new Map<string, number[]>();
  const add = (key: string, startedAt: string | undefined, finishedAt: string | undefined) => {
    if (!startedAt || !finishedAt) return;
    const ms = Date.parse(finishedAt) - Date.parse(startedAt);
    if (!(ms >= 0)) return;
    const list = samples.get(key) ?? [];
    if (list.length < RECENT_SAMPLES) list.push(ms);
    samples.set(key, list);
  };
  const newestFirst = [...reports].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  for (const report of newestFirst) {
    for (const step of report.steps)
      if (step.target?.startsWith('callout:') && step.status !== 'skipped')
        add(planKey(step.id, step.target.slice('callout:'.length)), step.startedAt, step.finishedAt);
    for (const vm of report.vms)
      for (const c of vm.callouts)
        if (c.type !== 'prompt' && c.status !== 'skipped')
          add(vmKey(vm.name, c.phase, c.name), c.startedAt, c.finishedAt);
  }
  return samples;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The time each command and webhook callout of the plan takes in the prediction: the median of
 * its latest durations in the plan's earlier run reports, else its declared timeout (what a
 * callout that never answers costs). Prompts are left out: a person answers them, and the dry
 * run answers them at once.
 */
export function calloutTimings(plan: RecoveryPlan, reports: readonly RunReport[]): CalloutTiming[] {
  const measured = measuredDurations(reports);
  const out: CalloutTiming[] = [];
  const timing = (
    key: string,
    callout: Callout,
    name: string,
    where: Pick<CalloutTiming, 'phase' | 'vm' | 'before'>,
  ) => {
    if (callout.type === 'prompt') return;
    const samples = measured.get(key) ?? [];
    out.push({
      key,
      name,
      type: callout.type,
      ...where,
      predictedMs: samples.length > 0 ? median(samples) : callout.timeoutSeconds * 1000,
      source: samples.length > 0 ? 'history' : 'timeout',
      samples: samples.length,
    });
  };
  plan.callouts.forEach((c, i) => {
    const name = calloutName(c, i);
    timing(planKey(c.before, name), c, name, { phase: 'plan', before: c.before });
  });
  // A VM's callouts are only ever written in the plan's entry for it (resolvePlanVms copies them).
  for (const vm of plan.vms) {
    vm.prePowerOn.forEach((c, i) => {
      const name = calloutName(c, i);
      timing(vmKey(vm.vm, 'pre-power-on', name), c, name, { phase: 'pre-power-on', vm: vm.vm });
    });
    vm.postPowerOn.forEach((c, i) => {
      const name = calloutName(c, i);
      timing(vmKey(vm.vm, 'post-power-on', name), c, name, { phase: 'post-power-on', vm: vm.vm });
    });
  }
  return out;
}

/** The prompt text that stands for a timed callout in the dry run. */
const promptText = (key: string) => `drctl predict: callout ${key}`;

/**
 * The environment the dry run recovers: each command and webhook callout of the plan becomes a
 * prompt under the same name and place, which the dry run answers after the callout's predicted
 * time in virtual time (`delays`, by prompt text). A callout runs real work, which a virtual
 * clock holds still for; a prompt's answer waits like any timer, so the engine — unchanged —
 * schedules the callouts' time where a real run spends it (before the step, before the VM's boot
 * slot, after its heartbeat and delay).
 */
export function withTimedCallouts(
  env: Environment,
  plan: RecoveryPlan,
  timings: readonly CalloutTiming[],
): { env: Environment; delays: Map<string, number> } {
  const delays = new Map<string, number>();
  if (timings.length === 0) return { env, delays };
  const byKey = new Map(timings.map((t) => [t.key, t] as const));
  const asPrompt = <C extends Callout>(callout: C, key: string, name: string): C | Callout => {
    const t = byKey.get(key);
    if (callout.type === 'prompt' || !t) return callout;
    const text = promptText(key);
    delays.set(text, t.predictedMs);
    return { type: 'prompt', name, text };
  };
  const callouts = plan.callouts.map((c, i) => {
    const name = calloutName(c, i);
    const replaced = asPrompt(c, planKey(c.before, name), name);
    return replaced === c
      ? c
      : {
          ...(replaced as Extract<Callout, { type: 'prompt' }>),
          before: c.before,
          ...(c.workflows ? { workflows: c.workflows } : {}),
          ...(c.direction ? { direction: c.direction } : {}),
        };
  });
  const vms = plan.vms.map((v) => ({
    ...v,
    prePowerOn: v.prePowerOn.map((c, i) =>
      asPrompt(c, vmKey(v.vm, 'pre-power-on', calloutName(c, i)), calloutName(c, i)),
    ),
    postPowerOn: v.postPowerOn.map((c, i) =>
      asPrompt(c, vmKey(v.vm, 'post-power-on', calloutName(c, i)), calloutName(c, i)),
    ),
  }));
  const timed: RecoveryPlan = { ...plan, callouts, vms };
  return { env: { ...env, plans: env.plans.map((p) => (p === plan ? timed : p)) }, delays };
}
