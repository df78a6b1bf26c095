import type { Prediction, PredictedVm } from './prediction.js';

const ROW = 18;
const LABEL = 160;
const WIDTH = 1000;
const AXIS = 28;
/** One colour per priority group, 1 to 5. */
const COLOURS = ['#c0392b', '#d68910', '#2e86c1', '#229954', '#7d3c98'];

const escape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The VMs that power on, grouped by recovery host, hosts in the order their first VM starts. */
export function ganttRows(prediction: Prediction): Array<{ host: string; vms: PredictedVm[] }> {
  const byHost = new Map<string, PredictedVm[]>();
  const started = prediction.vms
    .filter((v) => v.powerOnStartMs !== undefined)
    .sort((a, b) => a.powerOnStartMs! - b.powerOnStartMs!);
  for (const vm of started) byHost.set(vm.host, [...(byHost.get(vm.host) ?? []), vm]);
  return [...byHost.entries()].map(([host, vms]) => ({ host, vms }));
}

const minutes = (ms: number) => `${Math.round(ms / 6000) / 10} min`;

/**
 * The predicted power-on per host as an SVG Gantt: one row per recovery host, one bar per VM from
 * power-on to its VMware Tools heartbeat (the darker part is the power-on task), coloured by
 * priority. Self-contained: the viewer shows it inline and `drctl predict --gantt` writes it.
 */
export function renderGanttSvg(prediction: Prediction): string {
  const rows = ganttRows(prediction);
  const endMs = Math.max(1, ...prediction.vms.map((v) => v.toolsReadyMs ?? v.poweredOnMs ?? v.powerOnStartMs ?? 0));
  const startMs = Math.min(endMs, ...prediction.vms.map((v) => v.powerOnStartMs ?? endMs));
  const span = Math.max(1, endMs - startMs);
  const x = (ms: number) => LABEL + ((ms - startMs) / span) * (WIDTH - LABEL - 10);
  const height = AXIS + rows.length * ROW + 10;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="11" role="img" aria-label="${escape(`Predicted power-on of plan ${prediction.plan} per host`)}">`,
    `<title>${escape(`${prediction.workflow} of ${prediction.plan}: power-on per host, ${minutes(startMs)} to ${minutes(endMs)}`)}</title>`,
  ];
  for (let t = 0; t <= 4; t++) {
    const ms = startMs + (span * t) / 4;
    out.push(
      `<line x1="${x(ms).toFixed(1)}" y1="${AXIS - 6}" x2="${x(ms).toFixed(1)}" y2="${height - 6}" stroke="#ddd"/>`,
      `<text x="${x(ms).toFixed(1)}" y="${AXIS - 10}" text-anchor="${t === 4 ? 'end' : 'middle'}" fill="#555">${minutes(ms)}</text>`,
    );
  }
  rows.forEach((row, i) => {
    const y = AXIS + i * ROW;
    out.push(`<text x="${LABEL - 6}" y="${y + 12}" text-anchor="end" fill="#222">${escape(row.host)}</text>`);
    for (const vm of row.vms) {
      const colour = COLOURS[vm.priority - 1] ?? '#555';
      const from = vm.powerOnStartMs!;
      const on = vm.poweredOnMs ?? from;
      const ready = vm.toolsReadyMs ?? on;
      const label = `${vm.name} (priority ${vm.priority}): power-on at ${minutes(from)}, heartbeat at ${minutes(ready)}`;
      out.push(
        `<g class="vm" data-vm="${escape(vm.name)}"><title>${escape(label)}</title>`,
        `<rect x="${x(from).toFixed(1)}" y="${y + 2}" width="${Math.max(1, x(ready) - x(from)).toFixed(1)}" height="${ROW - 5}" fill="${colour}" fill-opacity="0.45"/>`,
        `<rect x="${x(from).toFixed(1)}" y="${y + 2}" width="${Math.max(1, x(on) - x(from)).toFixed(1)}" height="${ROW - 5}" fill="${colour}"/></g>`,
      );
    }
  });
  out.push('</svg>');
  return out.join('\n');
}
