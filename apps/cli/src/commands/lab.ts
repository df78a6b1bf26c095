import { relative, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { labDown, labStatus, labUp } from '@drctl/runtime';
import type { ActionWrapper } from '../cli/action-wrapper.js';
import { EXIT_CODES } from '../cli/exit-codes.js';
import { printJson, println, type CliIo } from '../cli/io.js';
import { cliLogger } from '../cli/logger.js';
import { wholeNumber } from '../cli/options.js';

interface LabOptions {
  dir?: string;
  example?: string;
  toolsDelay?: string;
  toolsNever?: string;
  sessionIdleTimeout?: string;
  transferSeconds?: string;
  json?: boolean;
}

const labDir = (io: CliIo, options: LabOptions) => resolve(io.cwd, options.dir ?? io.env.DRCTL_LAB_DIR ?? 'drctl-lab');

async function upCommand(io: CliIo, options: LabOptions): Promise<number> {
  const dir = labDir(io, options);
  const toolsDelayMs = wholeNumber('--tools-delay', options.toolsDelay, 0);
  const sessionIdleTimeoutMs = wholeNumber('--session-idle-timeout', options.sessionIdleTimeout, 1);
  const transferSeconds = wholeNumber('--transfer-seconds', options.transferSeconds, 0);
  const state = await labUp({
    dir,
    logger: cliLogger(io),
    ...(options.example ? { example: resolve(io.cwd, options.example) } : {}),
    ...(toolsDelayMs !== undefined ? { toolsDelayMs } : {}),
    ...(options.toolsNever ? { toolsNever: options.toolsNever } : {}),
    ...(sessionIdleTimeoutMs !== undefined ? { sessionIdleTimeoutMs } : {}),
    ...(transferSeconds !== undefined ? { transferSeconds } : {}),
  });
  if (options.json) {
    printJson(io, state);
    return EXIT_CODES.success;
  }
  println(io, `Lab up in ${dir}:`);
  for (const server of state.servers) println(io, `  ${server.name.padEnd(18)} pid ${server.pid}  ${server.url}`);
  const env = relative(io.cwd, state.environment) || state.environment;
  println(io, `Environment file: ${env}`);
  println(io, `Try a real run:  drctl run test --env ${env} --plan "Protect vcsite1" --answer ok`);
  println(io, `Stop it:         drctl lab down${options.dir ? ` --dir ${options.dir}` : ''}`);
  return EXIT_CODES.success;
}

async function downCommand(io: CliIo, options: LabOptions): Promise<number> {
  const stopped = await labDown(labDir(io, options));
  if (options.json) printJson(io, { stopped: stopped.map((s) => ({ name: s.name, pid: s.pid })) });
  else
    println(
      io,
      stopped.length === 0 ? 'No lab server was running.' : `Stopped ${stopped.map((s) => s.name).join(', ')}.`,
    );
  return EXIT_CODES.success;
}

function statusCommand(io: CliIo, options: LabOptions): number {
  const { state, servers } = labStatus(labDir(io, options));
  if (options.json) {
    printJson(io, { environment: state?.environment, servers });
  } else if (!state) {
    println(io, `No lab in ${labDir(io, options)} (start one with drctl lab up).`);
  } else {
    println(io, `Lab in ${state.dir}, started ${state.startedAt}; environment file ${state.environment}`);
    for (const s of servers)
      println(io, `  ${s.name.padEnd(18)} ${s.alive ? 'running' : 'STOPPED'}  pid ${s.pid}  ${s.url}  (log ${s.log})`);
  }
  return state && servers.every((s) => s.alive) ? EXIT_CODES.success : EXIT_CODES.finishedWithProblems;
}

/** `drctl lab up|down|status`: the lab vCenters and Data Collector that real runs can be tried against. */
export function registerLabCommand(program: Command, io: CliIo, wrap: ActionWrapper): void {
  const lab = program
    .command('lab')
    .description(
      'start, stop or show a lab to try real runs against: one vCenter simulator (vcsim) per site and a DSM Data Collector simulator, with an environment file pointing at them',
    );
  const dirOption = () =>
    new Option(
      '--dir <dir>',
      "the lab's directory: state, logs, secrets, environment file (default $DRCTL_LAB_DIR or ./drctl-lab)",
    );
  const jsonOption = () => new Option('--json', 'print machine-readable JSON only');
  lab
    .command('up')
    .description('start the lab servers in the background and write the environment file')
    .addOption(dirOption())
    .option(
      '--example <dir>',
      "the example whose environment the lab serves (default: the repository's examples/techsol)",
    )
    .option('--tools-delay <ms>', 'VMware Tools heartbeat this long after power-on (default 1000)')
    .option('--tools-never <glob>', 'VMs whose heartbeat never comes')
    .option('--session-idle-timeout <ms>', 'vCenter sessions idle this long expire (default: never)')
    .option('--transfer-seconds <n>', 'seconds each replay takes to replicate (default 1)')
    .addOption(jsonOption())
    .action(wrap((options: LabOptions) => upCommand(io, options)));
  lab
    .command('down')
    .description('stop the lab servers')
    .addOption(dirOption())
    .addOption(jsonOption())
    .action(wrap((options: LabOptions) => downCommand(io, options)));
  lab
    .command('status')
    .description('show the lab servers and whether they run (exit 1 when one has stopped)')
    .addOption(dirOption())
    .addOption(jsonOption())
    .action(wrap((options: LabOptions) => Promise.resolve(statusCommand(io, options))));
}
