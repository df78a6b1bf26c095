import { writeFileSync } from 'node:fs';
import { writableFile } from '../cli/output-file.js';
import { DrError } from '@drctl/domain';
import { EXPORT_FORMATS, exportMachine, MACHINE_NAMES, type ExportFormat } from '@drctl/inspect';
import { EXIT_CODES } from '../cli/exit-codes.js';
import { printJson, println, type CliIo } from '../cli/io.js';
import type { CommonOptions } from '../cli/options.js';

export interface ExportOptions extends CommonOptions {
  machine: string;
  format: string;
  output?: string;
}

/**
 * `drctl export --machine NAME --format json|mermaid`: a statechart as a graph (JSON) or a
 * Mermaid state diagram, from the machine definitions themselves.
 */
export async function exportCommand(io: CliIo, options: ExportOptions): Promise<number> {
  if (!(EXPORT_FORMATS as readonly string[]).includes(options.format)) {
    throw new DrError('DR_INPUT_INVALID', `Unknown export format ${JSON.stringify(options.format)}.`, {
      issues: [{ path: '--format', message: `expected one of ${EXPORT_FORMATS.join(', ')}` }],
    });
  }
  if (!(MACHINE_NAMES as readonly string[]).includes(options.machine)) {
    throw new DrError('DR_INPUT_INVALID', `Unknown machine ${JSON.stringify(options.machine)}.`, {
      issues: [{ path: '--machine', message: `expected one of ${MACHINE_NAMES.join(', ')}` }],
    });
  }
  const text = exportMachine(options.machine, options.format as ExportFormat);
  if (options.output) {
    const path = writableFile('--output', io.cwd, options.output);
    writeFileSync(path, text);
    if (options.json) printJson(io, { machine: options.machine, format: options.format, written: path });
    else println(io, `Wrote the ${options.machine} machine (${options.format}) to ${path}.`);
    return EXIT_CODES.success;
  }
  if (options.json) {
    // JSON graphs are printed as they are; a Mermaid diagram goes inside a JSON document.
    if (options.format === 'json') printJson(io, JSON.parse(text));
    else printJson(io, { machine: options.machine, format: options.format, text });
  } else io.stdout.write(text);
  return EXIT_CODES.success;
}
