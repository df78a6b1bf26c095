import { Argument, Command, CommanderError, Option } from 'commander';
import { FAULT_SYNTAX } from '@drctl/simulator';
import { STEP_IDS, STORAGE_COMMANDS, WORKFLOWS, type WorkflowName } from '@drctl/domain';
import { EXPORT_FORMATS, MACHINE_NAMES } from '@drctl/inspect';
import { registerCheckCommand } from '../commands/check.js';
import { registerPredictCommand } from '../commands/predict.js';
import { registerDiscoverCommand } from '../commands/discover.js';
import { registerLabCommand } from '../commands/lab.js';
import { cancelCommand } from '../commands/cancel.js';
import { exportCommand } from '../commands/export.js';
import { serveCommand } from '../commands/serve.js';
import { generateCommand } from '../commands/generate.js';
import { enginesCommand } from '../commands/engines.js';
import { historyCommand } from '../commands/history.js';
import { resumeCommand } from '../commands/resume.js';
import { runCommand } from '../commands/run.js';
import { settingsCommand } from '../commands/settings.js';
import { statusCommand } from '../commands/status.js';
import { validateCommand } from '../commands/validate.js';
import { describeError, errorDocument, exitCodeOf, UsageError } from './errors.js';
import { EXIT_CODES } from './exit-codes.js';
import { printJson, type CliIo } from './io.js';
import { collect } from './options.js';
import { STORAGE_CHOICES } from './workspace.js';

const VERSION = '0.1.0';

const EXIT_HELP = `
Exit codes:
  0  success
  1  the run finished with warnings or errors, or is incomplete, cancelled or interrupted
  2  bad input (file, option, name) or an operation the plan's state refuses; nothing ran
  3  internal failure (DRCTL_DEBUG=1 shows the stack trace)`;

const RUN_OPTIONS_HELP = `A run keeps the options it was started with (--simulate, --storage, --seed, --set,
--vmware-dr-xml, --inject): they are saved with the run before it starts, and a different value is refused.`;
const INJECT_HELP = `rehearse a failure (repeatable, simulation only): ${[...FAULT_SYNTAX, 'crash-after:STEP_ID', 'dsm:{JSON} and dsm-down[:SECONDS] (with --storage sc-series)'].join(', ')}`;

const envOption = () => new Option('--env <file>', 'environment file (YAML); default $DRCTL_ENV');
const stateDirOption = () =>
  new Option(
    '--state-dir <dir>',
    'where runs, reports and the simulated world are kept (default: .drctl beside the environment file)',
  );
// Several engines share a PostgreSQL store; the state folder stays the embedded default.
const storeOption = () =>
  new Option(
    '--store <url>',
    'postgres://… store shared by several engines (default $DRCTL_STORE, else the state folder)',
  );
const engineIdOption = () =>
  new Option(
    '--engine-id <name>',
    "this engine's name in run leases and reports (default $DRCTL_ENGINE_ID, else host:pid)",
  );
const jsonOption = () => new Option('--json', 'print machine-readable JSON only');

interface ProgramState {
  exitCode: number;
}

/**
 * What `resume` and `cancel` accept of a run's own options: a run always goes on as it was
 * started, so these are compared with what it was started with (and another value is refused).
 */
function withTheRunsOwnOptions(command: Command): Command {
  return command
    .option('--simulate', "the run's own (a run always resumes as it was started)")
    .addOption(new Option('--storage <kind>', "the run's own; another is refused").choices(STORAGE_CHOICES))
    .option('--seed <n>', "the run's own; another is refused")
    .option('--set <key=value>', "the run's settings; others are refused", collect)
    .option('--vmware-dr-xml <file>', "the run's own; another is refused")
    .option('--inject <fault>', "the run's own faults; others are refused (crash-after:STEP_ID is allowed)", collect)
    .addOption(stateDirOption())
    .addOption(storeOption())
    .addOption(engineIdOption())
    .addOption(jsonOption())
    .addHelpText('after', `${RUN_OPTIONS_HELP}\n${EXIT_HELP}`);
}

/** Runs a command's action, turning errors into a message (or a JSON error) and an exit code. */
function action<A extends unknown[]>(io: CliIo, state: ProgramState, body: (...args: A) => Promise<number>) {
  return async (...args: A) => {
    const command = args[args.length - 1] as Command;
    const json = Boolean(command.opts()['json']);
    try {
      state.exitCode = await body(...args);
    } catch (error) {
      state.exitCode = exitCodeOf(error);
      if (json) printJson(io, errorDocument(error));
      else io.stderr.write(`${describeError(error, io.env)}\n`);
    }
  };
}

/** The whole `drctl` command line, writing to `io`. */
export function buildProgram(io: CliIo, state: ProgramState = { exitCode: 0 }): Command {
  const program = new Command('drctl')
    .description(
      'Recovery-plan orchestration for disaster recovery: validate, run, resume and inspect SRM-style workflows.',
    )
    .version(VERSION, '--version', 'print the version')
    .showSuggestionAfterError(true)
    .addHelpText(
      'after',
      `
Examples:
  drctl validate examples/techsol/environment.yaml
  drctl run disaster-recovery --env examples/techsol/environment.yaml --plan "Protect vcsite1" --simulate --answer ok
  drctl status --env examples/techsol/environment.yaml
  drctl history --env examples/techsol/environment.yaml --run RUN_ID
${EXIT_HELP}`,
    );

  program
    .command('validate')
    .description('check an environment file: schema and cross-references, each error naming its path')
    .argument('<file>', 'environment file (YAML or JSON)')
    .addOption(jsonOption())
    .addHelpText('after', EXIT_HELP)
    .action(action(io, state, (file: string, options: { json?: boolean }) => validateCommand(io, file, options)));

  registerCheckCommand(program, io, (body) => action(io, state, body));
  registerPredictCommand(program, io, (body) => action(io, state, body));
  registerDiscoverCommand(program, io, (body) => action(io, state, body));
  registerLabCommand(program, io, (body) => action(io, state, body));

  program
    .command('run')
    .description('run a workflow on a recovery plan, with progress, to its end')
    .addArgument(new Argument('<workflow>', 'the workflow').choices(WORKFLOWS))
    .addOption(envOption())
    .option('--plan <name>', 'recovery plan (may be left out when the environment has one plan)')
    .option(
      '--simulate',
      "run against the built-in simulated vCenters and arrays, under virtual time (without it: the environment file's vCenters and Data Collectors, after a preflight)",
    )
    .addOption(
      new Option(
        '--storage <kind>',
        "storage adapter behind the array managers (default: each array manager's own)",
      ).choices(STORAGE_CHOICES),
    )
    .option('--seed <n>', "seed of the simulated world (default: the environment file's)")
    .option('--set <key=value>', 'override a setting, e.g. storage.commandTimeout=600 (repeatable)', collect)
    .option('--vmware-dr-xml <file>', "read settings from SRM's vmware-dr.xml <config>")
    .option('--force', 'cleanup, reprotect: ignore errors and reach ready')
    .option('--forced-recovery', 'disaster-recovery: skip the protected-site steps (needs recovery.forceRecovery=true)')
    .option(
      '--override-protected-site-up <reason>',
      'with --forced-recovery: run even though the protected site answers; the reason is recorded in the report',
    )
    .option('--no-sync', 'test: do not replicate recent changes first')
    .option('--answer <text>', 'answer every prompt with this text (else asked on the terminal)')
    .option('--report <file>', 'also write the run report (JSON) to this file, kept up to date as the run goes')
    .addOption(stateDirOption())
    .addOption(storeOption())
    .addOption(engineIdOption())
    .option('--inject <fault>', INJECT_HELP, collect)
    .addOption(jsonOption())
    .addHelpText(
      'after',
      `
--json prints one JSON event per line, then {"type":"report",…} with the result and the report's path.
Faults: COMMAND is a storage command (${STORAGE_COMMANDS.join(', ')}); STEP_ID is one of ${STEP_IDS.join(', ')}.
${EXIT_HELP}`,
    )
    .action(
      action(io, state, (workflow: WorkflowName, options: Parameters<typeof runCommand>[2]) =>
        runCommand(io, workflow, options),
      ),
    );

  withTheRunsOwnOptions(
    program
      .command('resume')
      .description('continue an interrupted run (after a crash or a stop at a prompt); finished steps are not redone')
      .argument('[runId]', 'the run (default: the only interrupted one)')
      .addOption(envOption())
      .option('--plan <name>', 'pick the interrupted run of this plan')
      .option('--answer <text>', 'answer every prompt with this text')
      .option('--report <file>', 'also write the run report (JSON) to this file'),
  ).action(
    action(io, state, (runId: string | undefined, options: Parameters<typeof resumeCommand>[2]) =>
      resumeCommand(io, runId, options),
    ),
  );

  withTheRunsOwnOptions(
    program
      .command('cancel')
      .description(
        'cancel a run: one interrupted is resumed only to be cancelled; one running in another drctl process is asked to stop',
      )
      .argument('[runId]', 'the run (default: the only interrupted one)')
      .addOption(envOption())
      .option('--plan <name>', 'pick the run of this plan')
      .option('--reason <text>', 'why, for the report')
      .option('--wait <seconds>', 'how long to wait for another process to stop the run (0: do not wait)', '60'),
  ).action(
    action(io, state, (runId: string | undefined, options: Parameters<typeof cancelCommand>[2]) =>
      cancelCommand(io, runId, options),
    ),
  );

  program
    .command('status')
    .description('every plan with its lifecycle state, direction and last run')
    .addOption(envOption())
    .option('--plan <name>', 'only this plan')
    .addOption(stateDirOption())
    .addOption(storeOption())
    .addOption(engineIdOption())
    .addOption(jsonOption())
    .addHelpText('after', EXIT_HELP)
    .action(action(io, state, (options: Parameters<typeof statusCommand>[1]) => statusCommand(io, options)));

  program
    .command('history')
    .description("past runs, newest first, or one run's report as a readable summary")
    .addOption(envOption())
    .option('--plan <name>', 'only runs of this plan')
    .option('--run <id>', "show this run's report (the whole JSON document with --json)")
    .option('--limit <n>', 'at most this many runs')
    .addOption(stateDirOption())
    .addOption(storeOption())
    .addOption(engineIdOption())
    .addOption(jsonOption())
    .addHelpText('after', EXIT_HELP)
    .action(action(io, state, (options: Parameters<typeof historyCommand>[1]) => historyCommand(io, options)));

  program
    .command('engines')
    .description('engines sharing a PostgreSQL store: their last heartbeat and the runs each owns')
    .addOption(storeOption())
    .addOption(jsonOption())
    .addHelpText('after', EXIT_HELP)
    .action(action(io, state, (options: Parameters<typeof enginesCommand>[1]) => enginesCommand(io, options)));

  program
    .command('settings')
    .description('effective settings and where each value came from (default, environment, vmware-dr.xml, --set)')
    .addOption(envOption())
    .option('--set <key=value>', 'override a setting (repeatable)', collect)
    .option('--vmware-dr-xml <file>', "read settings from SRM's vmware-dr.xml <config>")
    .addOption(jsonOption())
    .addHelpText('after', EXIT_HELP)
    .action(action(io, state, (options: Parameters<typeof settingsCommand>[1]) => settingsCommand(io, options)));

  program
    .command('generate')
    .description('write a synthetic two-site environment for scale tests and benchmarks')
    .requiredOption('--vms <n>', 'protected VMs')
    .requiredOption('--hosts <n>', 'hosts over both sites')
    .requiredOption('--clusters <n>', 'clusters over both sites')
    .requiredOption('--datastores <n>', 'replicated datastores (one volume each)')
    .option('--live-volumes <n>', 'how many of the volumes are Live Volumes', '0')
    .option('--seed <n>', 'seed: the same options and seed give the same file', '1')
    .option('--dependencies <fraction>', 'share of VMs (0..1) that depend on an earlier VM of the same priority')
    .option('--host-limit <n>', 'defaultMaxBootAndShutdownOpsPerHost')
    .option('--cluster-limit <n>', 'defaultMaxBootAndShutdownOpsPerCluster')
    .option('--datastores-per-group <n>', 'datastores per protection group')
    .option('-o, --output <file>', 'write here (default: print to stdout)')
    .addOption(jsonOption())
    .addHelpText('after', EXIT_HELP)
    .action(action(io, state, (options: Parameters<typeof generateCommand>[1]) => generateCommand(io, options)));

  program
    .command('serve')
    .description(
      'serve the HTTP API and the statechart viewer on an environment (bearer tokens from DRCTL_API_TOKEN or DRCTL_API_TOKENS=name:secret,…)',
    )
    .addOption(envOption())
    .option(
      '--simulate',
      "runs use the built-in simulated environment under virtual time (without it: the environment file's vCenters and Data Collectors, after a preflight)",
    )
    .option('--port <n>', 'port to listen on (0: any free one)', '8787')
    .option('--host <address>', 'address to bind (default 127.0.0.1: loopback only)')
    .option(
      '--pace <n>',
      'virtual seconds per real second for simulated runs, so people can watch them (default: as fast as possible)',
    )
    .addOption(
      new Option(
        '--storage <kind>',
        "storage adapter behind the array managers (default: each array manager's own)",
      ).choices(STORAGE_CHOICES),
    )
    .option('--seed <n>', 'seed of the simulated world')
    .option('--set <key=value>', 'override a setting (repeatable)', collect)
    .option('--vmware-dr-xml <file>', "read settings from SRM's vmware-dr.xml <config>")
    .option('--inject <fault>', INJECT_HELP, collect)
    .addOption(stateDirOption())
    .addOption(storeOption())
    .addOption(engineIdOption())
    .addOption(jsonOption())
    .addHelpText('after', EXIT_HELP)
    .action(action(io, state, (options: Parameters<typeof serveCommand>[1]) => serveCommand(io, options)));

  program
    .command('export')
    .description(
      "export a statechart (a workflow, the plan lifecycle or one VM's power-on) as a JSON graph or a Mermaid diagram",
    )
    .addOption(new Option('--machine <name>', 'the machine').choices(MACHINE_NAMES).makeOptionMandatory())
    .addOption(
      new Option('--format <format>', 'json (nodes and edges) or mermaid (stateDiagram-v2)')
        .choices(EXPORT_FORMATS)
        .default('mermaid'),
    )
    .option('-o, --output <file>', 'write here (default: stdout)')
    .addOption(jsonOption())
    .addHelpText('after', EXIT_HELP)
    .action(action(io, state, (options: Parameters<typeof exportCommand>[1]) => exportCommand(io, options)));

  return program;
}

/**
 * Parses `argv` (without the node and script paths) and runs the command. Resolves with the exit
 * code; never throws and never exits the process.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const state: ProgramState = { exitCode: EXIT_CODES.success };
  const json = argv.includes('--json');
  let usageMessage = '';
  const program = buildProgram(io, state);
  // Nested commands too (`drctl lab up`).
  for (const command of [program, ...program.commands, ...program.commands.flatMap((c) => c.commands)]) {
    command.exitOverride();
    command.configureOutput({
      writeOut: (text) => {
        io.stdout.write(text);
      },
      writeErr: (text) => {
        if (!json) io.stderr.write(text);
      },
      outputError: (text) => {
        usageMessage = text.replace(/^error: /, '').trim();
      },
    });
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return state.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return EXIT_CODES.success; // --help, --version
      const usage = new UsageError(usageMessage || error.message.replace(/^error: /, ''));
      if (json) printJson(io, errorDocument(usage));
      else io.stderr.write(`${describeError(usage, io.env)}\n`);
      return EXIT_CODES.badInputOrRefused;
    }
    if (json) printJson(io, errorDocument(error));
    else io.stderr.write(`${describeError(error, io.env)}\n`);
    return exitCodeOf(error);
  }
}
