import { DrError, type EngineRecord } from '@drctl/domain';
import { openStore } from '@drctl/runtime';
import { EXIT_CODES } from '../cli/exit-codes.js';
import { printJson, println, type CliIo } from '../cli/io.js';
import type { CommonOptions } from '../cli/options.js';
import { storeFlags } from '../cli/workspace.js';
import { column, shortTime } from '../progress/format.js';

export interface EnginesOptions extends CommonOptions {
  store?: string;
}

/**
 * `drctl engines`: the engines sharing a PostgreSQL store, their last heartbeat, and the runs
 * whose lease each holds (an expired one waits for a takeover). Only reads the store.
 */
export async function enginesCommand(io: CliIo, options: EnginesOptions): Promise<number> {
  const choice = storeFlags(io, options);
  if (!choice.store) {
    throw new DrError(
      'DR_INPUT_INVALID',
      'Engines share a PostgreSQL store: give --store postgres://… (or DRCTL_STORE).',
      {
        issues: [{ path: '--store', message: 'required: the state folder has one engine at a time' }],
      },
    );
  }
  const opened = openStore(choice, '');
  try {
    const engines = await opened.engines!.engines();
    if (options.json) {
      printJson(io, { store: opened.where, engines });
      return EXIT_CODES.success;
    }
    printEngines(io, opened.where, engines);
    return EXIT_CODES.success;
  } finally {
    await opened.close();
  }
}

function printEngines(io: CliIo, where: string, engines: EngineRecord[]): void {
  println(io, `Engines sharing ${where}`);
  if (engines.length === 0) {
    println(io, '  none has registered yet (drctl serve --store … --engine-id NAME starts one)');
    return;
  }
  println(io, `  ${column('ENGINE', 24)} ${column('STATE', 8)} ${column('LAST HEARTBEAT', 22)} RUNS`);
  for (const e of engines) {
    const runs =
      e.runs.length === 0
        ? '-'
        : e.runs.map((r) => `${r.runId}${r.expired ? ' (lease expired: waiting for a takeover)' : ''}`).join(', ');
    const heartbeat = e.heartbeatAt ? shortTime(e.heartbeatAt) : 'never registered';
    println(
      io,
      `  ${column(e.engineId, 24)} ${column(e.alive ? 'alive' : 'silent', 8)} ${column(heartbeat, 22)} ${runs}`,
    );
  }
}
