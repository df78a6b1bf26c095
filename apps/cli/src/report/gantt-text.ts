import type { Prediction } from '@drctl/runtime';
import { sinceStart } from '../progress/format.js';

/** Priority digit per VM slot; `.` while the VM is powering on, its priority while it boots. */
const GLYPHS = ['1', '2', '3', '4', '5'];

/**
 * The predicted power-on per host as text: one line per recovery host, time left to right, each
 * cell showing the priority of the VM(s) booting there (`#` when several priorities overlap).
 * At most `maxHosts` lines; the rest are counted.
 */
export function textGantt(prediction: Prediction, width = 60, maxHosts = 40): string[] {
  const started = prediction.vms.filter((v) => v.powerOnStartMs !== undefined);
  if (started.length === 0) return ['(no VM is powered on in this workflow)'];
  const from = Math.min(...started.map((v) => v.powerOnStartMs!));
  const to = Math.max(...started.map((v) => v.toolsReadyMs ?? v.poweredOnMs ?? v.powerOnStartMs!));
  const span = Math.max(1, to - from);
  const cell = (ms: number) => Math.min(width - 1, Math.floor(((ms - from) / span) * width));
  const hosts = new Map<string, string[]>();
  for (const vm of started.sort((a, b) => a.powerOnStartMs! - b.powerOnStartMs!)) {
    const row = hosts.get(vm.host) ?? new Array<string>(width).fill(' ');
    const glyph = GLYPHS[vm.priority - 1] ?? '?';
    const end = cell(vm.toolsReadyMs ?? vm.poweredOnMs ?? vm.powerOnStartMs!);
    for (let i = cell(vm.powerOnStartMs!); i <= end; i++) row[i] = row[i] === ' ' || row[i] === glyph ? glyph : '#';
    hosts.set(vm.host, row);
  }
  const nameWidth = Math.min(24, Math.max(...[...hosts.keys()].map((h) => h.length)));
  const lines = [`${' '.repeat(nameWidth)}  ${sinceStart(from).padEnd(width - 10)}${sinceStart(to).padStart(10)}`];
  let shown = 0;
  for (const [host, row] of hosts) {
    if (shown === maxHosts) break;
    lines.push(`${host.slice(0, nameWidth).padEnd(nameWidth)} |${row.join('')}|`);
    shown += 1;
  }
  if (hosts.size > shown)
    lines.push(`… and ${hosts.size - shown} more hosts (the SVG Gantt has them all: --gantt FILE.svg)`);
  lines.push('cells: the priority of the VM booting (power-on to VMware Tools heartbeat); # several priorities');
  return lines;
}
