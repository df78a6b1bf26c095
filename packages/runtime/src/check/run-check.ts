import {
  checkConfiguration,
  countFindings,
  findingsFromIssues,
  isDrError,
  SystemClock,
  type Environment,
  type Finding,
  type FindingCounts,
  type Settings,
} from '@drctl/domain';
import { openWorkspace, readEnvironment, settingsFor, type WorkspaceOptions } from '../workspace.js';
import { learnTimings, readRunReports } from '../predict/learned-timings.js';
import { pino } from 'pino';
import { liveCoverage, observeArrays, type LiveCoverage, type LiveSourceReport } from './live-sources.js';
import { observeRealEndpoints, pointsAtRealEndpoints } from './real-sources.js';

/** What `runCheck` checks and how. */
export interface CheckOptions extends Pick<
  WorkspaceOptions,
  'set' | 'vmwareDrXml' | 'storage' | 'storageFactories' | 'logger'
> {
  /** The environment file; `include:` paths resolve from its folder. */
  environmentPath: string;
  /** Also ask the endpoints (the storage adapters) what they hold. @default false */
  live?: boolean;
  /**
   * With `live`: ask the simulated world even when the file names real endpoints. @default false
   * (real endpoints when some site has a `vcenterConnection`, else the simulated world)
   */
  simulate?: boolean;
  /** Process environment the real endpoints' passwords are read from. @default process.env */
  processEnv?: Record<string, string | undefined>;
  /** Bounds the live questions, ms. @default 60000 */
  liveTimeoutMs?: number;
  /** Effective settings already resolved (a server's); else from the file, vmware-dr.xml and `set`. */
  settings?: Settings;
  /**
   * The state folder whose earlier run reports give the VMs' measured heartbeat times (for the
   * VMware Tools wait rule), instead of the file's `toolsSeconds`. @default none: the file's
   */
  stateDir?: string;
}

/** What `drctl check` prints with `--json`, and `GET /api/v1/check` returns. */
export interface CheckReport {
  /** The environment's name; null when its file does not load. */
  environment: string | null;
  /** The environment file checked. */
  file: string;
  /** Errors first, then warnings, then advice. */
  findings: Finding[];
  counts: FindingCounts;
  /** Whether the environment file loaded; when not, its problems are the findings. */
  loaded: boolean;
  /** Whether the endpoints were asked, which answered, and what cannot be asked yet. */
  live: {
    requested: boolean;
    /** `real`: the endpoints the file names; `simulated`: the simulated world built from the file. */
    endpoints: 'real' | 'simulated';
    sources: LiveSourceReport[];
    coverage: LiveCoverage;
  };
}

/**
 * `drctl check`: the environment file's findings (static) and, with `live`, those from what the
 * endpoints report: the real vCenters and Data Collectors the file names (some site has a
 * `vcenterConnection`), else the storage adapters of the simulated world built from the file. An environment that does not load gives its load problems as
 * findings (errors), so check always answers with a list.
 */
export async function runCheck(options: CheckOptions): Promise<CheckReport> {
  const live: CheckReport['live'] = {
    requested: options.live ?? false,
    endpoints: 'simulated',
    sources: [],
    coverage: liveCoverage(false),
  };
  let env: Environment;
  let findings: Finding[];
  try {
    env = readEnvironment(options.environmentPath);
    if (options.stateDir) env = learnTimings(env, await readRunReports(options.stateDir)).env;
    findings = checkConfiguration(env, options.settings ?? settingsFor(env, options).values);
  } catch (error) {
    if (isDrError(error) && (error.code === 'DR_INPUT_INVALID' || error.code === 'DR_SETTING_INVALID')) {
      const issues =
        error.issues.length > 0 ? error.issues : [{ path: options.environmentPath, message: error.message }];
      const loadFindings = findingsFromIssues(issues);
      return {
        environment: null,
        file: options.environmentPath,
        findings: loadFindings,
        counts: countFindings(loadFindings),
        loaded: false,
        live,
      };
    }
    throw error;
  }
  if (options.live && !options.simulate && pointsAtRealEndpoints(env)) {
    const observed = await observeRealEndpoints(env, {
      clock: new SystemClock(),
      logger: options.logger ?? pino({ level: 'silent' }),
      signal: AbortSignal.timeout(options.liveTimeoutMs ?? 60_000),
      ...(options.processEnv ? { processEnv: options.processEnv } : {}),
    });
    live.endpoints = 'real';
    live.coverage = liveCoverage(true);
    live.sources = observed.sources;
    findings = checkConfiguration(env, options.settings ?? settingsFor(env, options).values, observed.observed);
  } else if (options.live) {
    // The endpoints as this build reaches them: each manager's adapter, as a run would use it.
    const workspace = await openWorkspace({
      environmentPath: options.environmentPath,
      environment: env,
      inMemory: true,
      ...(options.set ? { set: options.set } : {}),
      ...(options.vmwareDrXml ? { vmwareDrXml: options.vmwareDrXml } : {}),
      ...(options.storage ? { storage: options.storage } : {}),
      ...(options.storageFactories ? { storageFactories: options.storageFactories } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    });
    try {
      const signal = AbortSignal.timeout(options.liveTimeoutMs ?? 60_000);
      const observed = await workspace.drive(observeArrays(env, workspace.storageFor, signal));
      live.sources = observed.sources;
      findings = checkConfiguration(env, options.settings ?? workspace.settings.values, {
        arrays: observed.arrays,
        qosNodes: observed.qosNodes,
      });
    } finally {
      await workspace.close();
    }
  }
  return {
    environment: env.name,
    file: options.environmentPath,
    findings,
    counts: countFindings(findings),
    loaded: true,
    live,
  };
}

/** Exit status of a check: 0 clean (advice only), 1 warnings, 2 errors. */
export function checkExitCode(counts: FindingCounts): 0 | 1 | 2 {
  if (counts.error > 0) return 2;
  if (counts.warning > 0) return 1;
  return 0;
}
