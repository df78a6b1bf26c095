import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DrError, type Environment, type RunReport } from '@drctl/domain';
import { openStore, readEnvironment, type OpenedStore } from '@drctl/runtime';
import { readAllRunReports, readRunReport } from '@drctl/workflows';
import { EXIT_CODES } from '../cli/exit-codes.js';
import { printJson, println, type CliIo } from '../cli/io.js';
import { wholeNumber, type CommonOptions } from '../cli/options.js';
import { storeFlags } from '../cli/workspace.js';
import { stateDirFor } from '../cli/workspace-paths.js';
import { REPORT_LINE_HEADER, reportLine, summarizeReport } from '../report/summary.js';

export interface HistoryOptions extends CommonOptions {
  env?: string;
  stateDir?: string;
  plan?: string;
  run?: string;
  limit?: string;
  store?: string;
  engineId?: string;
}

/**
 * History only reads the store: the shared PostgreSQL store when given, else the state folder
 * from `--state-dir`, or beside `--env`.
 */
function openHistory(io: CliIo, options: HistoryOptions): { store: OpenedStore; env?: Environment; stateDir: string } {
  const envPath = options.env ?? io.env['DRCTL_ENV'];
  const shared = storeFlags(io, options);
  if (shared.store) {
    const env = envPath ? readEnvironment(resolve(io.cwd, envPath)) : undefined;
    const store = openStore(shared, '');
    return { store, stateDir: store.where, ...(env ? { env } : {}) };
  }
  if (!options.stateDir && !envPath) {
    throw new DrError('DR_INPUT_INVALID', 'Say whose history: give --env ENV.yaml or --state-dir DIR.', {
      issues: [{ path: '--env', message: 'required (or --state-dir)' }],
    });
  }
  const stateDir = envPath ? stateDirFor(io, envPath, options.stateDir) : resolve(io.cwd, options.stateDir!);
  if (!existsSync(stateDir)) {
    throw new DrError('DR_INPUT_INVALID', `No drctl state in ${stateDir}: nothing has run there yet.`, {
      issues: [{ path: options.stateDir ? '--state-dir' : '--env', message: 'no state folder' }],
    });
  }
  const env = envPath ? readEnvironment(resolve(io.cwd, envPath)) : undefined;
  return { store: openStore({}, stateDir), stateDir, ...(env ? { env } : {}) };
}

async function allReports(store: OpenedStore['store']): Promise<RunReport[]> {
  return (await readAllRunReports(store)).sort(
    (a, b) => b.startedAt.localeCompare(a.startedAt) || b.runId.localeCompare(a.runId),
  );
}

/** `drctl history [--plan NAME] [--run ID]`: the runs, newest first, or one run's report. */
export async function historyCommand(io: CliIo, options: HistoryOptions): Promise<number> {
  const { store: opened, env, stateDir } = openHistory(io, options);
  try {
    return await showHistory(io, options, opened.store, stateDir, env);
  } finally {
    await opened.close();
  }
}

async function showHistory(
  io: CliIo,
  options: HistoryOptions,
  store: OpenedStore['store'],
  stateDir: string,
  env: Environment | undefined,
): Promise<number> {
  if (options.run) {
    // A run id that cannot be a store key (`../x`) is simply no run: the error names --run.
    const report = await readRunReport(store, options.run).catch(() => undefined);
    if (!report)
      throw new DrError('DR_RUN_NOT_FOUND', `No run ${options.run} in ${stateDir}.`, {
        issues: [{ path: '--run', message: 'unknown run' }],
      });
    if (options.json) printJson(io, report);
    else println(io, summarizeReport(report, env));
    return EXIT_CODES.success;
  }
  const limit = wholeNumber('--limit', options.limit, 1);
  let reports = (await allReports(store)).filter((r) => options.plan === undefined || r.plan === options.plan);
  if (limit !== undefined) reports = reports.slice(0, limit);
  if (options.json) {
    printJson(
      io,
      reports.map((r) => ({
        runId: r.runId,
        plan: r.plan,
        workflow: r.workflow,
        mode: r.mode,
        result: r.result,
        startedAt: r.startedAt,
        ...(r.finishedAt ? { finishedAt: r.finishedAt } : {}),
      })),
    );
    return EXIT_CODES.success;
  }
  if (reports.length === 0) {
    println(io, `No runs${options.plan ? ` of plan "${options.plan}"` : ''} in ${stateDir}.`);
    return EXIT_CODES.success;
  }
  println(io, REPORT_LINE_HEADER);
  for (const r of reports) println(io, reportLine(r));
  println(io, '');
  println(io, 'Details of one run: drctl history --run RUN_ID');
  return EXIT_CODES.success;
}
