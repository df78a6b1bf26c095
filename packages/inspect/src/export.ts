import { DrError } from '@drctl/domain';
import { machineGraph, type MachineGraph } from './graph/machine-graph.js';
import { toMermaid, type MermaidOptions } from './graph/mermaid.js';
import { machineByName } from './machines.js';

export const EXPORT_FORMATS = ['json', 'mermaid'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The graph of a machine by name (see MACHINE_NAMES). */
export function exportMachineGraph(name: string): MachineGraph {
  return machineGraph(machineByName(name));
}

/**
 * `drctl export --machine NAME --format json|mermaid`: the machine's graph as pretty-printed
 * JSON (nodes, edges with guards and actions) or as a Mermaid `stateDiagram-v2`, ending with a
 * newline. Throws DR_INPUT_INVALID (path `machine` or `format`) for an unknown name or format.
 */
export function exportMachine(name: string, format: ExportFormat, options: MermaidOptions = {}): string {
  const graph = exportMachineGraph(name);
  switch (format) {
    case 'json':
      return `${JSON.stringify(graph, null, 2)}\n`;
    case 'mermaid':
      return toMermaid(graph, options);
    default:
      throw new DrError('DR_INPUT_INVALID', `Unknown export format ${String(format)}.`, {
        issues: [{ path: 'format', message: `expected one of ${EXPORT_FORMATS.join(', ')}` }],
      });
  }
}
