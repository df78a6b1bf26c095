import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import type { Finding } from '@drctl/domain';
import { checkExitCode, runCheck, type CheckReport, type StorageChoice } from '@drctl/runtime';
import type { ActionWrapper } from '../cli/action-wrapper.js';
import { printJson, println, type CliIo } from '../cli/io.js';
import { cliLogger } from '../cli/logger.js';
import { collect, environmentPath, type CommonOptions } from '../cli/options.js';
import { STORAGE_FACTORIES } from '../cli/storage-factories.js';
import { STORAGE_CHOICES } from '../cli/workspace.js';
import { stateDirFor } from '../cli/workspace-paths.js';

export interface CheckCommandOptions extends CommonOptions {
  env?: string;
  set?: string[];
  vmwareDrXml?: string;
  live?: boolean;
  simulate?: boolean;
  storage?: StorageChoice;
  stateDir?: string;
  history?: boolean;
}

const LABEL: Record<Finding['severity'], string> = { error: 'ERROR', warning: 'WARNING', info: 'ADVICE' };

/** `3 errors, 1 warning, 2 advice`. */
export function describeCounts(counts: CheckReport['counts']): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${plural(counts.error, 'error')}, ${plural(counts.warning, 'warning')}, ${counts.info} advice`;
}

function printReport(io: CliIo, report: CheckReport): void {
  const name = report.environment ?? report.file;
  const scope = report.live.requested
    ? `the environment file and the ${report.live.endpoints === 'real' ? 'real endpoints' : 'simulated endpoints'}`
    : 'the environment file';
  println(io, `${name}: ${describeCounts(report.counts)} (checked ${scope})`);
  if (!report.loaded) println(io, '  The environment file does not load: fix these first, then check again.');
  for (const f of report.findings) {
    println(io);
    println(
      io,
      `${LABEL[f.severity].padEnd(8)}${f.code}  ${f.path}  (${f.source}${f.scope === 'live' ? ', live' : ''})`,
    );
    println(io, `        ${f.message}`);
    println(io, `        Fix: ${f.fix}`);
  }
  if (report.live.requested) {
    println(io);
    println(io, 'Live:');
    const status = (s: CheckReport['live']['sources'][number]) =>
      s.status === 'ok'
        ? 'answered'
        : s.status === 'skipped'
          ? `not asked: ${s.message ?? ''}`
          : `did not answer: ${s.message ?? ''}`;
    for (const s of report.live.sources)
      println(io, `  ${s.source} (${s.adapter}): ${status(s)}${s.asked.length > 0 ? ` — ${s.asked.join(', ')}` : ''}`);
    if (report.live.sources.length === 0) println(io, '  no endpoint to ask');
    println(io, `  Not read live: ${report.live.coverage.notLive.join('; ')}.`);
  }
}

/** `drctl check`: best-practice and SRM configuration findings; exit 0 clean, 1 warnings, 2 errors. */
export async function checkCommand(io: CliIo, options: CheckCommandOptions): Promise<number> {
  const path = environmentPath(io, options.env);
  const report = await runCheck({
    environmentPath: path,
    live: options.live ?? false,
    ...(options.simulate ? { simulate: true } : {}),
    logger: cliLogger(io),
    storageFactories: STORAGE_FACTORIES,
    ...(options.history !== false ? { stateDir: stateDirFor(io, path, options.stateDir) } : {}),
    ...(options.set?.length ? { set: options.set } : {}),
    ...(options.vmwareDrXml ? { vmwareDrXml: resolve(io.cwd, options.vmwareDrXml) } : {}),
    ...(options.storage ? { storage: options.storage } : {}),
  });
  if (options.json) printJson(io, report);
  else printReport(io, report);
  return checkExitCode(report.counts);
}

/** Registers `drctl check`. */
export function registerCheckCommand(program: Command, io: CliIo, wrap: ActionWrapper): void {
  program
    .command('check')
    .description(
      "check the environment against Dell's SC Series + SRM best-practice guide and SRM's configuration rules",
    )
    .addOption(new Option('--env <file>', 'environment file (YAML); default $DRCTL_ENV'))
    .option('--set <key=value>', 'override a setting, e.g. storage.commandTimeout=3600 (repeatable)', collect)
    .option('--vmware-dr-xml <file>', "read settings from SRM's vmware-dr.xml <config>")
    .option(
      '--live',
      'also ask the endpoints: the vCenters (Tools, host ↔ datastore visibility) and Data Collectors (replication types, Live Volume settings, QoS nodes) the file names, else the simulated arrays',
    )
    .option('--simulate', 'with --live: ask the simulated world even when the file names real vCenters')
    .addOption(
      new Option('--storage <kind>', 'with --live: storage adapter behind the array managers').choices(STORAGE_CHOICES),
    )
    .option('--state-dir <dir>', 'where earlier run reports are (default: .drctl beside the environment file)')
    .option('--no-history', "judge VMware Tools waits by the file's toolsSeconds, not by earlier runs' measurements")
    .addOption(new Option('--json', 'print machine-readable JSON only'))
    .addHelpText(
      'after',
      `
Each finding: severity, rule code, the path of the field, the guide's section (§), why, and the fix.
Rules: docs/check-rules.md.

Exit codes:
  0  no errors or warnings (advice may be printed)
  1  warnings, no errors
  2  errors (SRM cannot protect or recover something as configured), or bad input
  3  internal failure`,
    )
    .action(wrap((options: CheckCommandOptions) => checkCommand(io, options)));
}
