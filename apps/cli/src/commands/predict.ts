import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Argument, Command, Option } from 'commander';
import { DrError, WORKFLOWS, type WorkflowName } from '@drctl/domain';
import {
  compareSettings,
  predict,
  readEnvironment,
  renderGanttSvg,
  type Comparison,
  type PredictOptions,
  type Prediction,
  type StorageChoice,
} from '@drctl/runtime';
import type { ActionWrapper } from '../cli/action-wrapper.js';
import { EXIT_CODES } from '../cli/exit-codes.js';
import { printJson, println, type CliIo } from '../cli/io.js';
import { cliLogger } from '../cli/logger.js';
import { writableFile } from '../cli/output-file.js';
import { collect, environmentPath, planName, wholeNumber, type CommonOptions } from '../cli/options.js';
import { stateDirFor } from '../cli/workspace-paths.js';
import { STORAGE_CHOICES } from '../cli/workspace.js';
import { column, humanDuration } from '../progress/format.js';
import { textGantt } from '../report/gantt-text.js';

export interface PredictCommandOptions extends CommonOptions {
  env?: string;
  plan?: string;
  seed?: string;
  set?: string[];
  vmwareDrXml?: string;
  compare?: string;
  gantt?: string;
  history?: boolean;
  stateDir?: string;
  storage?: StorageChoice;
}

const BINDING: Record<Prediction['groups'][number]['binding']['kind'], string> = {
  'host-limit': 'host limit on',
  'cluster-limit': 'cluster limit on',
  'dependency-chain': 'dependency chain',
  'slow-vm': 'one slow VM:',
  none: '—',
};

const bindingText = (g: Prediction['groups'][number]) =>
  g.binding.kind === 'none' ? '—' : `${BINDING[g.binding.kind]} ${g.binding.subject}`;

/**
 * A step's callouts under it: plan-level ones one by one, a group's VM callouts summed per phase
 * (thousands of VMs may each run one), each with where its time comes from.
 */
function calloutLines(step: Prediction['steps'][number]): string[] {
  const source = (s: 'history' | 'timeout') => (s === 'history' ? 'from earlier runs' : 'timeout, no history');
  const lines: string[] = [];
  for (const c of step.callouts ?? [])
    if (c.phase === 'plan') lines.push(`callout ${c.name}: ${humanDuration(c.durationMs)} (${source(c.source)})`);
  for (const phase of ['pre-power-on', 'post-power-on'] as const) {
    const of = (step.callouts ?? []).filter((c) => c.phase === phase);
    if (of.length === 0) continue;
    const longest = of.reduce((a, b) => (b.durationMs > a.durationMs ? b : a));
    const guessed = of.filter((c) => c.source === 'timeout').length;
    lines.push(
      `${phase} callouts: ${of.length} in ${new Set(of.map((c) => c.vm)).size} VM(s), longest ${humanDuration(longest.durationMs)} (${longest.name}, ${longest.vm ?? ''})${guessed > 0 ? `; ${guessed} timed by their timeout, no history` : ''}`,
    );
  }
  return lines;
}

function printPrediction(io: CliIo, p: Prediction, gantt: boolean): void {
  println(
    io,
    `Predicted ${p.workflow} of plan "${p.plan}": ${humanDuration(p.totalMs)} (${p.result}; seed ${p.seed}; dry run on the simulated world in ${p.wallSeconds} s)`,
  );
  println(io);
  println(io, 'Steps:');
  for (const s of p.steps) {
    println(
      io,
      `  ${column(s.id, 34)}${column(humanDuration(s.durationMs), 14)}${s.phase ? `(${s.phase}) ` : ''}${s.title}`,
    );
    for (const c of calloutLines(s)) println(io, `    ${c}`);
  }
  println(io);
  println(io, 'Priority groups:');
  println(
    io,
    `  ${column('group', 8)}${column('VMs', 7)}${column('predicted', 14)}${column('lower bound', 14)}binding constraint`,
  );
  for (const g of p.groups.filter((x) => x.vms > 0))
    println(
      io,
      `  ${column(`P${g.priority}`, 8)}${column(String(g.vms), 7)}${column(humanDuration(g.predictedMs), 14)}${column(humanDuration(g.lowerBoundMs), 14)}${bindingText(g)}`,
    );
  println(io);
  const missing = p.timings.withoutHistory;
  println(
    io,
    `Timings: ${p.timings.fromHistory} VM(s) from ${p.timings.reports} earlier run report(s); ${missing.length} without history (environment file)${missing.length > 0 ? `: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ` and ${missing.length - 10} more` : ''}` : ''}.`,
  );
  const noHistory = p.timings.calloutsWithoutHistory;
  if (p.timings.calloutsFromHistory + noHistory.length > 0)
    println(
      io,
      `Callouts: ${p.timings.calloutsFromHistory} timed from earlier runs; ${noHistory.length} without history, timed by their declared timeout${noHistory.length > 0 ? `: ${noHistory.slice(0, 10).join(', ')}${noHistory.length > 10 ? ` and ${noHistory.length - 10} more` : ''}` : ''}.`,
    );
  if (gantt) {
    println(io);
    println(io, 'Power-on per host:');
    for (const line of textGantt(p, Math.max(20, Math.min(80, (io.stdout.columns ?? 100) - 30))))
      println(io, `  ${line}`);
  }
}

function printComparison(io: CliIo, c: Comparison): void {
  const first = c.variants[0]!.prediction;
  println(io, `What-if: ${first.workflow} of plan "${first.plan}" by ${c.setting}`);
  const width = 22;
  const row = (label: string, cells: string[]) =>
    println(
      io,
      `  ${column(label, 19)} ${cells
        .map((x) => `${column(x, width - 1)} `)
        .join('')
        .trimEnd()}`,
    );
  row(
    c.setting.length > 19 ? 'value' : c.setting,
    c.variants.map((v) => v.value),
  );
  row(
    'total',
    c.variants.map((v) => humanDuration(v.prediction.totalMs)),
  );
  row(
    'result',
    c.variants.map((v) => v.prediction.result),
  );
  for (const priority of [1, 2, 3, 4, 5]) {
    const groups = c.variants.map((v) => v.prediction.groups[priority - 1]!);
    if (groups.every((g) => g.vms === 0)) continue;
    row(
      `P${priority} predicted`,
      groups.map((g) => humanDuration(g.predictedMs)),
    );
    row(
      `P${priority} lower bound`,
      groups.map((g) => humanDuration(g.lowerBoundMs)),
    );
    row(`P${priority} binding`, groups.map(bindingText));
  }
  row(
    'wall time',
    c.variants.map((v) => `${v.prediction.wallSeconds} s`),
  );
}

function ganttFile(io: CliIo, file: string, p: Prediction): void {
  const svg = renderGanttSvg(p);
  const html = /\.html?$/i.test(file);
  const body = html
    ? `<!doctype html><html lang="en"><meta charset="utf-8"><title>drctl predict: ${p.workflow} of ${p.plan}</title><body><h1>Predicted power-on per host</h1><p>${p.workflow} of plan ${p.plan}: ${humanDuration(p.totalMs)}</p>${svg}</body></html>\n`
    : `${svg}\n`;
  try {
    writeFileSync(resolve(io.cwd, file), body);
  } catch (error) {
    throw new DrError('DR_INPUT_INVALID', `Cannot write the Gantt to ${file}.`, {
      cause: error,
      issues: [{ path: '--gantt', message: (error as Error).message }],
    });
  }
}

/** `drctl predict WORKFLOW`: predicted duration per step and priority group, or a what-if table. */
export async function predictCommand(
  io: CliIo,
  workflow: WorkflowName,
  options: PredictCommandOptions,
): Promise<number> {
  const path = environmentPath(io, options.env);
  // Read and validated once: the prediction (and every --compare variant) reuses it.
  const environment = readEnvironment(path);
  const plan = planName(environment, options.plan);
  const seed = wholeNumber('--seed', options.seed);
  const base: PredictOptions = {
    environmentPath: path,
    environment,
    stateDir: stateDirFor(io, path, options.stateDir),
    plan,
    workflow,
    history: options.history !== false,
    logger: cliLogger(io),
    ...(seed !== undefined ? { seed } : {}),
    ...(options.set?.length ? { set: options.set } : {}),
    ...(options.vmwareDrXml ? { vmwareDrXml: resolve(io.cwd, options.vmwareDrXml) } : {}),
    ...(options.storage ? { storage: options.storage } : {}),
  };
  if (options.compare !== undefined) {
    const comparison = await compareSettings(base, options.compare);
    if (options.json) printJson(io, comparison);
    else printComparison(io, comparison);
    return EXIT_CODES.success;
  }
  // A Gantt that cannot be written is refused before the dry run, not after it.
  if (options.gantt) writableFile('--gantt', io.cwd, options.gantt);
  const prediction = await predict(base);
  if (options.gantt) ganttFile(io, options.gantt, prediction);
  if (options.json) printJson(io, prediction);
  else {
    printPrediction(io, prediction, true);
    if (options.gantt) println(io, `Gantt written to ${options.gantt}`);
  }
  return EXIT_CODES.success;
}

/** Registers `drctl predict`. */
export function registerPredictCommand(program: Command, io: CliIo, wrap: ActionWrapper): void {
  program
    .command('predict')
    .description(
      'predict how long a workflow on a plan takes under the effective settings (dry run on the simulated world), per step and priority group',
    )
    .addArgument(new Argument('<workflow>', 'the workflow').choices(WORKFLOWS))
    .addOption(new Option('--env <file>', 'environment file (YAML); default $DRCTL_ENV'))
    .option('--plan <name>', 'recovery plan (may be left out when the environment has one plan)')
    .option('--seed <n>', "seed of the simulated world (default: the environment file's)")
    .option('--set <key=value>', 'override a setting (repeatable)', collect)
    .option('--vmware-dr-xml <file>', "read settings from SRM's vmware-dr.xml <config>")
    .option('--compare <setting=a,b,c>', 'what-if: one prediction per value, side by side')
    .option('--gantt <file>', 'also write the power-on Gantt per host as SVG (or HTML when the name ends in .html)')
    .option('--no-history', "use the environment file's VM timings even where earlier runs measured them")
    .option('--state-dir <dir>', 'where earlier run reports are (default: .drctl beside the environment file)')
    .addOption(new Option('--storage <kind>', 'storage adapter behind the array managers').choices(STORAGE_CHOICES))
    .addOption(new Option('--json', 'print machine-readable JSON only'))
    .addHelpText(
      'after',
      `
Nothing is run for real: the engine runs the plan in memory on the simulated world under virtual
time; prompts are answered at once and callouts are not executed (counted as taking no time).
VM heartbeat times come from this environment's earlier run reports where there are any.

Exit codes:
  0  predicted (whatever the predicted run's result)
  2  bad input (file, option, plan)
  3  internal failure`,
    )
    .action(wrap((workflow: WorkflowName, options: PredictCommandOptions) => predictCommand(io, workflow, options)));
}
