import type { RunReport, WorkflowName } from '@drctl/domain';
import { exportMachineGraph, stateFromReport, stepStateId, type MachineGraph } from '@drctl/inspect';
import type { ServerContext } from '../context.js';
import { runLinks } from '../context.js';
import { notFound } from '../http/errors.js';

const graphs = new Map<WorkflowName, MachineGraph>();
const graphOf = (workflow: WorkflowName) => {
  let graph = graphs.get(workflow);
  if (!graph) graphs.set(workflow, (graph = exportMachineGraph(workflow)));
  return graph;
};

export async function reportOf(ctx: ServerContext, runId: string): Promise<RunReport> {
  const report = await ctx.workspace().engine.report(runId);
  if (!report) throw notFound(`Run ${runId}`, 'runId');
  return report;
}

export function summaryOf(report: RunReport) {
  return {
    runId: report.runId,
    plan: report.plan,
    workflow: report.workflow,
    mode: report.mode,
    result: report.result,
    startedAt: report.startedAt,
    ...(report.finishedAt ? { finishedAt: report.finishedAt } : {}),
  };
}

/** A run's status: its report's summary, whether it runs here now, and the state its machine is in. */
export function statusOf(ctx: ServerContext, report: RunReport) {
  const engine = ctx.workspace().engine;
  const tracked = ctx.inspection.run(report.runId);
  return {
    ...summaryOf(report),
    active: engine.activeRuns().includes(report.runId),
    state: tracked?.activeState ?? stateFromReport(graphOf(report.workflow), report) ?? null,
    waitingPrompts: engine.waitingPrompts(report.runId),
    links: runLinks(report.runId),
  };
}

const phaseOf = (report: RunReport, title: string) => {
  if (report.workflow !== 'failback') return report.workflow;
  return /\(([a-z-]+)\)$/.exec(title)?.[1] ?? 'planned-migration';
};

/** Everything the viewer draws for one run, in one document. */
/** The last poll of each sync this server watched, by `<phase>/<step>`. */
function lastSyncPolls(ctx: ServerContext, runId: string) {
  const polls = new Map<string, Array<{ device: string; status: 'complete' | 'in-progress'; percent: number }>>();
  for (const { event } of ctx.monitor.events(runId) ?? []) {
    if (event.type === 'sync-progress') polls.set(`${event.phase}/${event.step}`, event.devices);
  }
  return polls;
}

export async function viewOf(ctx: ServerContext, runId: string) {
  const report = await reportOf(ctx, runId);
  const graph = graphOf(report.workflow);
  const syncs = lastSyncPolls(ctx, runId);
  return {
    run: statusOf(ctx, report),
    now: new Date(ctx.workspace().clock.now()).toISOString(),
    steps: report.steps
      .filter((s) => s.target === undefined)
      .map((s) => {
        const phase = phaseOf(report, s.title);
        const sync = s.status === 'running' ? syncs.get(`${phase}/${s.id}`) : undefined;
        return {
          id: s.id,
          title: s.title,
          phase,
          state: stepStateId(graph, phase, s.id) ?? null,
          status: s.status,
          ...(s.startedAt ? { startedAt: s.startedAt } : {}),
          ...(s.finishedAt ? { finishedAt: s.finishedAt } : {}),
          messages: s.messages,
          // A sync still running: each device's share copied at the last poll.
          ...(sync ? { sync } : {}),
        };
      }),
    vms: report.vms.map(({ callouts: _c, ...vm }) => vm),
    prompts: {
      waiting: ctx.workspace().engine.waitingPrompts(runId),
      answered: report.prompts.filter((p) => p.answeredAt !== undefined),
    },
  };
}
