#!/usr/bin/env node
import { describeError } from './cli/errors.js';
import { EXIT_CODES } from './cli/exit-codes.js';
import { processIo } from './cli/io.js';
import { runCli } from './cli/program.js';

const io = processIo();

// A stray rejection is an internal failure: said in one sentence, exit 3.
process.on('unhandledRejection', (reason) => {
  io.stderr.write(`${describeError(reason, io.env)}\n`);
  process.exit(EXIT_CODES.internalFailure);
});

// Exit once stdout has drained: a run left waiting (e.g. at a prompt with no terminal) must not
// keep the process alive, and piped output must not be cut short.
const code = await runCli(process.argv.slice(2), io);
process.stdout.write('', () => process.exit(code));
