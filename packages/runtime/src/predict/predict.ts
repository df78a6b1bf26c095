import { dirname, join, resolve } from 'node:path';
import { DrError, SETTING_NAMES, type Environment, type RunReport, type WorkflowName } from '@drctl/domain';
import { readEnvironment, type WorkspaceOptions } from '../workspace.js';
import { calloutTimings, withTimedCallouts } from './callout-timings.js';
import { dryRun } from './dry-run.js';
import { learnTimings, readRunReports } from './learned-timings.js';
import { predictionFromReport, type Prediction } from './prediction.js';

/** What `predict` predicts and how. */
export interface PredictOptions extends Pick<WorkspaceOptions, 'set' | 'vmwareDrXml' | 'seed' | 'storage' | 'logger'> {
  /** The environment file. */
  environmentPath: string;
  /** Where earlier run reports are. @default `<environment folder>/.drctl` */
  stateDir?: string;
  /** The plan to predict. */
  plan: string;
  /** The workflow to predict; those it needs first run before it, untimed. */
  workflow: WorkflowName;
  /** Learn VM timings from earlier run reports. @default true */
  history?: boolean;
  /** The environment file's content, already loaded (a server's, the CLI's). @default read from `environmentPath` */
  environment?: Environment;
}

/**
 * `drctl predict`: how long `workflow` on `plan` would take under the effective settings, from a
 * dry run of the engine on the simulated world under virtual time, with VM heartbeat times and
 * callout durations learned from this environment's earlier runs where there are any (a callout
 * without history takes its declared timeout).
 */
export async function predict(options: PredictOptions): Promise<Prediction> {
  const began = performance.now();
  return predictLoaded(options, await loadForPrediction(options), began);
}

/** What every prediction of one plan shares: the loaded environment and its earlier run reports. */
interface Loaded {
  env: Environment;
  reports: RunReport[];
}

async function loadForPrediction(options: PredictOptions): Promise<Loaded> {
  const env = options.environment ?? readEnvironment(options.environmentPath);
  if (!env.plans.some((p) => p.name === options.plan))
    throw new DrError('DR_INPUT_INVALID', `Unknown plan ${JSON.stringify(options.plan)}.`, {
      issues: [{ path: '--plan', message: `known: ${env.plans.map((p) => p.name).join(', ')}` }],
    });
  const stateDir = resolve(options.stateDir ?? join(dirname(resolve(options.environmentPath)), '.drctl'));
  const reports =
    options.history === false ? [] : (await readRunReports(stateDir)).filter((r) => r.plan === options.plan);
  return { env, reports };
}

async function predictLoaded(options: PredictOptions, loaded: Loaded, began: number): Promise<Prediction> {
  const { env, reports } = loaded;
  const plan = env.plans.find((p) => p.name === options.plan)!;
  const learned = learnTimings(env, reports);
  const callouts = calloutTimings(plan, reports);
  const timed = withTimedCallouts(
    learned.env,
    learned.env.plans.find((p) => p.name === plan.name)!,
    callouts,
  );
  const run = await dryRun({ ...options, environment: timed.env, promptDelays: timed.delays });
  return predictionFromReport({
    env: learned.env,
    callouts,
    report: run.report,
    settings: run.report.settings,
    seed: options.seed ?? env.seed,
    source: learned.source,
    reports: learned.reports,
    wallMs: performance.now() - began,
  });
}

/** `--compare`: one prediction per value of one setting. */
export interface Comparison {
  setting: string;
  variants: Array<{ value: string; prediction: Prediction }>;
}

/** `--compare SETTING=a,b,c`: one prediction per value, everything else equal. */
export async function compareSettings(options: PredictOptions, compare: string): Promise<Comparison> {
  const eq = compare.indexOf('=');
  const setting = eq > 0 ? compare.slice(0, eq) : '';
  const values =
    eq > 0
      ? compare
          .slice(eq + 1)
          .split(',')
          .map((v) => v.trim())
          .filter((v) => v !== '')
      : [];
  if (!(SETTING_NAMES as readonly string[]).includes(setting) || values.length === 0) {
    throw new DrError(
      'DR_INPUT_INVALID',
      `--compare takes SETTING=value,value,… with a known setting, not ${JSON.stringify(compare)}.`,
      { issues: [{ path: '--compare', message: `settings: ${SETTING_NAMES.join(', ')}` }] },
    );
  }
  // The file is read, validated and its run history learned once for every variant.
  const loaded = await loadForPrediction(options);
  const variants: Comparison['variants'] = [];
  for (const value of values) {
    const began = performance.now();
    const prediction = await predictLoaded(
      { ...options, set: [...(options.set ?? []), `${setting}=${value}`] },
      loaded,
      began,
    );
    variants.push({ value, prediction });
  }
  return { setting, variants };
}
