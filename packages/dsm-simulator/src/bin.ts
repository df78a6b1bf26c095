#!/usr/bin/env node
import { describeCliError, runCli } from './cli/run-cli.js';

const io = {
  out: (line: string) => process.stdout.write(`${line}\n`),
  err: (line: string) => process.stderr.write(`${line}\n`),
  env: process.env,
};

runCli(process.argv.slice(2), io).then(
  (running) => {
    if (!running) return;
    const stop = () => {
      running.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  },
  (error: unknown) => {
    io.err(`drctl-dsm-simulator: ${describeCliError(error)}`);
    process.exit(2);
  },
);
