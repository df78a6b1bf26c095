import type { EngineEvent } from '@drctl/workflows';
import type { CliIo } from '../cli/io.js';
import { eventLine } from './event-lines.js';
import { bar, column, fit, humanDuration, shortTime, sinceStart } from './format.js';
import { vmCounts, type ProgressState, type StepLine } from './progress-state.js';
import type { ProgressView } from './views.js';

const MARK: Record<StepLine['status'], string> = {
  pending: '·',
  inactive: '·',
  running: '▶',
  success: '✔',
  'already-done': '✔',
  warning: '!',
  error: '✖',
  skipped: '–',
  cancelled: '✖',
};

/** Steps around the current one: the last few done, the running ones, the next few. */
function stepWindow(steps: StepLine[]): { lines: StepLine[]; doneBefore: number; pendingAfter: number } {
  const firstOpen = steps.findIndex((s) => s.status === 'pending' || s.status === 'running');
  const anchor = firstOpen < 0 ? steps.length : firstOpen;
  const start = Math.max(0, anchor - 3);
  const end = Math.min(steps.length, anchor + 4);
  return { lines: steps.slice(start, end), doneBefore: start, pendingAfter: steps.length - end };
}

/** The live block: header, clocks, VMs per priority, a window of steps, waiting prompts. */
export function renderBlock(state: ProgressState, nowVirtualMs: number, elapsedRealMs: number): string[] {
  const lines: string[] = [];
  const virtual = state.startedAtMs === undefined ? 'T+00:00:00' : sinceStart(nowVirtualMs - state.startedAtMs);
  lines.push(`${state.workflow} · ${state.plan} · ${state.mode || '…'} · run ${state.runId}`);
  lines.push(
    `  time ${virtual} (engine clock ${shortTime(new Date(nowVirtualMs).toISOString())}) · elapsed ${humanDuration(elapsedRealMs)} · storage commands ${state.storageCommands}`,
  );
  const vms = vmCounts(state);
  if (vms.total > 0) {
    lines.push(`  VMs powered on ${vms.recovered}/${vms.total}${vms.failed ? ` · ${vms.failed} failed` : ''}`);
    for (const p of state.priorities) {
      if (p.total === 0) continue;
      const busy = p.poweringOn > 0 ? ` · ${p.poweringOn} powering on` : '';
      const failed = p.failed > 0 ? ` · ${p.failed} failed` : '';
      lines.push(
        `    priority ${p.priority} ${bar(p.recovered + p.failed, p.total)} ${p.recovered}/${p.total}${failed}${busy}`,
      );
    }
  }
  const window = stepWindow(state.steps);
  if (window.doneBefore > 0) lines.push(`  … ${window.doneBefore} step${window.doneBefore > 1 ? 's' : ''} done`);
  for (const s of window.lines)
    lines.push(`  ${MARK[s.status]} ${column(s.title, 52)} ${s.status === 'pending' ? '' : s.status}`);
  if (window.pendingAfter > 0) lines.push(`  … ${window.pendingAfter} more`);
  if (state.sync) {
    const devices = state.sync.devices.map((d) => `${d.device} ${d.status === 'complete' ? 100 : d.percent} %`);
    lines.push(
      `  sync ${bar(state.sync.overall, 100)} ${state.sync.overall} % · ${devices.slice(0, 6).join(', ')}${devices.length > 6 ? ', …' : ''}`,
    );
  }
  for (const p of state.prompts) lines.push(`  ? waiting for an answer: ${p.text}`);
  return lines;
}

/**
 * On a terminal: a block redrawn in place (at most every 100 ms), with the lines worth keeping
 * (step results, failures, prompts) printed above it so they stay in the scrollback.
 */
export class TerminalView implements ProgressView {
  private drawn = 0;
  private paused = false;
  /** Lines that came while a question was on screen, printed once it is answered. */
  private held: string[] = [];
  private state: ProgressState | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly startedReal = performance.now();

  constructor(
    private readonly io: CliIo,
    private readonly virtualNow: () => number,
  ) {
    this.timer = setInterval(() => this.draw(), 100);
    this.timer.unref();
    this.io.stdout.write('\x1b[?25l');
  }

  update(state: ProgressState, event: EngineEvent): void {
    this.state = state;
    const line = eventLine(state, event);
    if (line === undefined) return;
    if (this.paused) {
      this.held.push(line);
      return;
    }
    this.erase();
    this.io.stdout.write(`${line}\n`);
    this.draw();
  }

  pause(): void {
    this.erase();
    this.paused = true;
    this.io.stdout.write('\x1b[?25h');
  }

  resume(): void {
    this.paused = false;
    this.io.stdout.write('\x1b[?25l');
    for (const line of this.held.splice(0)) this.io.stdout.write(`${line}\n`);
    this.draw();
  }

  close(state: ProgressState | undefined): void {
    clearInterval(this.timer);
    if (state) this.state = state;
    this.paused = false;
    this.erase();
    for (const line of this.held.splice(0)) this.io.stdout.write(`${line}\n`);
    this.draw();
    this.drawn = 0;
    this.io.stdout.write('\x1b[?25h');
  }

  private erase(): void {
    if (this.drawn > 0) this.io.stdout.write(`\x1b[${this.drawn}F\x1b[0J`);
    this.drawn = 0;
  }

  private draw(): void {
    if (this.paused || !this.state) return;
    const width = this.io.stdout.columns;
    const lines = renderBlock(this.state, this.virtualNow(), performance.now() - this.startedReal).map((l) =>
      fit(l, width),
    );
    this.erase();
    this.io.stdout.write(`${lines.join('\n')}\n`);
    this.drawn = lines.length;
  }
}
