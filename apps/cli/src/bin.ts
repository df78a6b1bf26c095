#!/usr/bin/env node
import { isDrError } from '@drctl/domain';
import { describeError } from './cli/errors.js';
import { EXIT_CODES } from './cli/exit-codes.js';
import { processIo } from './cli/io.js';
import { runCli } from './cli/program.js';

const io = processIo();

// A step cancelled at the instant it starts can leave an adapter's already-aborted promise without
// a handler inside the engine (see the report on @drctl/workflows' raceAbort). Such a rejection
// only repeats the cancellation the run already records, so it must not crash the process; any
// other stray rejection is an internal failure, said in one sentence, exit 3.
process.on('unhandledRejection', (reason) => {
  const name = (reason as { name?: unknown } | null)?.name;
  if (name === 'AbortError' || (isDrError(reason) && (reason.code === 'DR_CANCELLED' || reason.code === 'DR_STORAGE_TIMEOUT'))) return;
  io.stderr.write(`${describeError(reason, io.env)}\n`);
  process.exit(EXIT_CODES.internalFailure);
});

// Exit once stdout has drained: a run left waiting (e.g. at a prompt with no terminal) must not
// keep the process alive, and piped output must not be cut short.
const code = await runCli(process.argv.slice(2), io);
process.stdout.write('', () => process.exit(code));
