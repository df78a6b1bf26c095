#!/usr/bin/env node
import { runCli } from './cli/program.js';
import { processIo } from './cli/io.js';

// Exit once stdout has drained: a run left waiting (e.g. at a prompt with no terminal) must not
// keep the process alive, and piped output must not be cut short.
const code = await runCli(process.argv.slice(2), processIo());
process.stdout.write('', () => process.exit(code));
