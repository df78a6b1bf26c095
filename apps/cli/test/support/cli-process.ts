import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunReport } from '@drctl/domain';

const here = dirname(fileURLToPath(import.meta.url));
export const CLI_ROOT = resolve(here, '../..');
export const REPO_ROOT = resolve(CLI_ROOT, '../..');
export const BIN = join(CLI_ROOT, 'dist/bin.js');
export const TECHSOL = join(REPO_ROOT, 'examples/techsol/environment.yaml');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * The end-to-end tests run the built CLI as operators do. The root test command builds every
 * package first; when run on their own, the CLI is rebuilt here if its sources are newer.
 */
export function ensureBuilt(): void {
  if (existsSync(BIN) && statSync(BIN).mtimeMs >= newestSource(join(CLI_ROOT, 'src'))) return;
  const result = spawnSync(
    process.execPath,
    [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(CLI_ROOT, 'tsconfig.build.json')],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`building the CLI failed:\n${result.stdout}${result.stderr}`);
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunningCli {
  /** Resolves once stdout has printed a line that `match` accepts. */
  waitForLine(match: (line: string) => boolean): Promise<string>;
  kill(signal: NodeJS.Signals): void;
  done: Promise<CliResult>;
}

/** Starts `drctl ARGS` as a separate process (no terminal), with DRCTL_USER set for attribution. */
export function startDrctl(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, DRCTL_USER: 'e2e-operator', DRCTL_DEBUG: '', DRCTL_ENV: '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const watchers: Array<{ match: (line: string) => boolean; resolve: (line: string) => void }> = [];
  const check = () => {
    for (const line of stdout.split('\n')) {
      for (const w of [...watchers]) {
        if (w.match(line)) {
          watchers.splice(watchers.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  };
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    check();
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliResult>((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`drctl ${args.join(' ')} did not finish in time\n${stdout}\n${stderr}`));
    }, options.timeoutMs ?? 45_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
  return {
    done,
    kill: (signal) => child.kill(signal),
    waitForLine: (match) =>
      new Promise((resolvePromise, reject) => {
        watchers.push({ match, resolve: resolvePromise });
        check();
        void done.then(
          () => reject(new Error(`drctl ended before printing the awaited line:\n${stdout}\n${stderr}`)),
          reject,
        );
      }),
  };
}

/** Runs `drctl ARGS` as a separate process to its end. */
export function drctl(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CliResult> {
  return startDrctl(args, options).done;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `drctl-${prefix}-`));
}

/** `--json` output: one document per line. */
export function jsonLines<T = Record<string, unknown>>(stdout: string): T[] {
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}

/** The last line of `drctl run --json`: the result and where the report is. */
export function finalLine(stdout: string): {
  type: 'report';
  runId: string;
  result: string;
  reportPath: string;
  exitCode: number;
} {
  const lines = jsonLines<{ type: string }>(stdout);
  const last = lines[lines.length - 1];
  if (!last || last.type !== 'report') throw new Error(`no final report line in:\n${stdout.slice(-2000)}`);
  return last as never;
}

export function readReport(path: string): RunReport {
  return JSON.parse(readFileSync(path, 'utf8')) as RunReport;
}

/** Top-level steps (no per-target children) as [id, status] pairs, in report order. */
export function topSteps(report: RunReport): Array<[string, string]> {
  return report.steps.filter((s) => s.target === undefined).map((s) => [s.id, s.status]);
}
