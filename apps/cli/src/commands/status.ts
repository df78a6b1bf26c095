import type { RunReport } from '@drctl/domain';
import type { PlanStatus } from '@drctl/workflows';
import { EXIT_CODES } from '../cli/exit-codes.js';
import { printJson, println, type CliIo } from '../cli/io.js';
import { planName, type CommonOptions } from '../cli/options.js';
import { openCliWorkspace, type WorkspaceFlags } from '../cli/workspace.js';
import { column, shortTime } from '../progress/format.js';

export interface StatusOptions extends CommonOptions, Pick<WorkspaceFlags, 'env' | 'stateDir' | 'store' | 'engineId'> {
  plan?: string;
}

interface PlanLine extends PlanStatus {
  direction: string;
  lastRun?: { runId: string; workflow: string; mode: string; result: string; startedAt: string; finishedAt?: string };
}

/** `drctl status`: every plan with its lifecycle state, direction and last run. */
export async function statusCommand(io: CliIo, options: StatusOptions): Promise<number> {
  const workspace = await openCliWorkspace(io, options, { readOnly: true });
  try {
    const { engine } = workspace;
    await engine.findInterrupted();
    const statuses = options.plan
      ? [await engine.planStatus(planName(workspace.env, options.plan))]
      : await engine.plans();
    const lines: PlanLine[] = [];
    for (const status of statuses) {
      const id = status.activeRunId ?? status.lastRunId;
      const report: RunReport | undefined = id ? await engine.report(id) : undefined;
      lines.push({
        ...status,
        direction: `${status.protectedSite} → ${status.recoverySite}${status.reversed ? ' (reversed)' : ''}`,
        ...(report
          ? {
              lastRun: {
                runId: report.runId,
                workflow: report.workflow,
                mode: report.mode,
                result: report.result,
                startedAt: report.startedAt,
                ...(report.finishedAt ? { finishedAt: report.finishedAt } : {}),
              },
            }
          : {}),
      });
    }
    if (options.json) {
      printJson(io, {
        environment: workspace.env.name,
        stateDir: workspace.stateDir,
        store: workspace.where,
        plans: lines,
      });
      return EXIT_CODES.success;
    }
    println(io, `Environment "${workspace.env.name}" (runs in ${workspace.where})`);
    println(io, `  ${column('PLAN', 22)} ${column('STATE', 22)} ${column('DIRECTION', 30)} LAST RUN`);
    for (const l of lines) {
      const last = l.lastRun
        ? `${l.lastRun.workflow} ${l.lastRun.result} (${shortTime(l.lastRun.finishedAt ?? l.lastRun.startedAt)}) ${l.lastRun.runId}`
        : 'none';
      println(io, `  ${column(l.plan, 22)} ${column(l.state, 22)} ${column(l.direction, 30)} ${last}`);
      if (l.activeRunId && l.lastRun?.result === 'interrupted')
        println(io, `      interrupted: continue with drctl resume "${l.activeRunId}", or drctl cancel it`);
    }
    return EXIT_CODES.success;
  } finally {
    await workspace.close();
  }
}
