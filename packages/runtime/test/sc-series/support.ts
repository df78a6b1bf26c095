import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pino, type Logger } from 'pino';
import type { DeviceResultLine, Environment, RunReport, StepRecord } from '@drctl/domain';
import type { StartOptions } from '@drctl/workflows';
import { openWorkspace, readEnvironment, type Workspace, type WorkspaceOptions } from '../../src/index.js';

/** The example environment: two sites, SC 12 ↔ SC 13, one Live Volume (srmlv1) in plan 1. */
export const TECHSOL_DIR = resolve(import.meta.dirname, '../../../../examples/techsol');
/** SC 12 → SC 13: srmds1, srmds2 (consistency group) and the Live Volume srmlv1. */
export const PLAN_1 = 'Protect vcsite1';
/** SC 13 → SC 12: srmds3 (replicates its active snapshot) and srmds4 (frozen snapshots only). */
export const PLAN_2 = 'Protect vcsite2';
export const SC_12 = 697;
export const SC_13 = 699;
export const ANSWER = { answer: 'continue', by: 'test-suite' };

/**
 * Temporary state folders and open workspaces of one test file, released after each test. Every
 * workspace runs SC Series storage: the DSM simulator on loopback HTTPS, the adapter through the
 * engine.
 */
export class Lab {
  private readonly dirs: string[] = [];
  private readonly open: Workspace[] = [];

  tempDir(prefix = 'drctl-sc-'): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    this.dirs.push(dir);
    return dir;
  }

  /**
   * A copy of the techsol example (its scripts included) that `edit` may change — a plan's
   * snapshot mode, its callouts — so a test can vary it without touching the example. The loaded
   * environment is written back as JSON, which YAML reads as it is.
   */
  techsolVariant(edit: (env: Environment) => void = () => undefined): string {
    const dir = this.tempDir('drctl-techsol-');
    cpSync(join(TECHSOL_DIR, 'scripts'), join(dir, 'scripts'), { recursive: true });
    const env = readEnvironment(join(TECHSOL_DIR, 'environment.yaml'));
    edit(env);
    const path = join(dir, 'environment.yaml');
    writeFileSync(path, JSON.stringify(env));
    return path;
  }

  async workspace(options: Partial<WorkspaceOptions> & { stateDir: string }): Promise<Workspace> {
    const ws = await openWorkspace({
      environmentPath: join(TECHSOL_DIR, 'environment.yaml'),
      storage: 'sc-series',
      autoAnswer: ANSWER,
      ...options,
    });
    this.open.push(ws);
    return ws;
  }

  /** Closes a workspace now (the end of a `drctl` process): its world and Data Collector are saved. */
  async close(ws: Workspace): Promise<void> {
    this.open.splice(this.open.indexOf(ws), 1);
    await ws.close();
  }

  async release(): Promise<void> {
    for (const ws of this.open.splice(0)) await ws.close().catch(() => undefined);
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Drops the command callouts (each a node process: slow on a loaded machine, and not what these
 * tests are about); prompts stay.
 */
export function withoutCommandCallouts(env: Environment): void {
  for (const plan of env.plans) {
    plan.callouts = plan.callouts.filter((c) => c.type !== 'command');
    for (const vm of plan.vms) {
      vm.prePowerOn = vm.prePowerOn.filter((c) => c.type !== 'command');
      vm.postPowerOn = vm.postPowerOn.filter((c) => c.type !== 'command');
    }
  }
}

/**
 * The guide's "Multiple Data Collectors" layout (§4.1, §6.1): the array manager of `site` is
 * pointed at a Remote Data Collector running at that site; the other managers keep the example's
 * Data Collector. A loss of the other site then leaves `site`'s manager a collector to talk to.
 */
export function withRemoteDataCollectorAt(site: string): (env: Environment) => void {
  return (env) => {
    for (const manager of env.arrayManagers) {
      if (manager.site !== site || !manager.connection) continue;
      manager.connection = {
        ...manager.connection,
        host: `dsm-remote.${site}.local`,
        dataCollectorSite: site,
        remoteDataCollector: true,
      };
    }
  };
}

export async function run(ws: Workspace, start: StartOptions): Promise<RunReport> {
  const handle = await ws.drive(ws.engine.start(start));
  return ws.drive(handle.done);
}

/** Top-level step statuses in order, as `[id, status]`. */
export function stepStatuses(report: RunReport): Array<[string, string]> {
  return report.steps.filter((s) => s.target === undefined).map((s) => [s.id, s.status]);
}

export function step(report: RunReport, id: string): StepRecord {
  const found = report.steps.find((s) => s.id === id && s.target === undefined);
  if (!found)
    throw new Error(
      `no step ${id} in the ${report.workflow} report (steps: ${report.steps.map((s) => s.id).join(', ')})`,
    );
  return found;
}

/** The step's per-device result lines by device. */
export function deviceLines(report: RunReport, id: string): Record<string, DeviceResultLine> {
  return Object.fromEntries((step(report, id).results ?? []).map((r) => [r.device, r]));
}

export const POWER_ON = [
  'power-on-priority-1',
  'power-on-priority-2',
  'power-on-priority-3',
  'power-on-priority-4',
  'power-on-priority-5',
] as const;

/** A pino logger writing JSON lines into an array, to check what the run logged. */
export function capturedLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
  return { logger, lines };
}

/** Counts of one workflow's state-changing DSM calls: `after` minus `before`, by call key. */
export function callsBetween(
  before: Array<{ method: string; resource: string; action: string; object: string; count: number }>,
  after: typeof before,
): Map<string, number> {
  const key = (c: (typeof before)[number]) => `${c.method} ${c.resource}/${c.action} ${c.object}`;
  const earlier = new Map(before.map((c) => [key(c), c.count] as const));
  const made = new Map<string, number>();
  for (const c of after) {
    const n = c.count - (earlier.get(key(c)) ?? 0);
    if (n > 0) made.set(key(c), n);
  }
  return made;
}
