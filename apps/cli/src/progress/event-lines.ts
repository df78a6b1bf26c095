import type { EngineEvent } from '@drctl/workflows';
import { sinceStart } from './format.js';
import type { ProgressState } from './progress-state.js';

/**
 * The line an event is worth in a log, or undefined for the noise (each VM powering on): plain
 * output prints these; the terminal view prints them above its live block.
 */
export function eventLine(state: ProgressState, event: EngineEvent): string | undefined {
  const at =
    'at' in event && state.startedAtMs !== undefined ? `${sinceStart(Date.parse(event.at) - state.startedAtMs)}  ` : '';
  switch (event.type) {
    case 'run-started':
      return `${event.resumed ? 'Resumed' : 'Started'} ${event.workflow} (${event.mode}) of plan "${event.plan}": run ${event.runId}`;
    case 'step-started': {
      const line = state.steps.find((s) => s.key === `${event.phase}/${event.step}`);
      return `${at}start    ${line?.title ?? event.step} [${event.step}]`;
    }
    case 'step-finished': {
      const line = state.steps.find((s) => s.key === `${event.phase}/${event.step}`);
      // A power-on step's first message is its count of the whole group (VMs left powered off by
      // their startup action included): it goes on the step's own line, once.
      const [tally, ...rest] = /^power-on-priority-\d$/.test(event.step)
        ? event.messages
        : [undefined, ...event.messages];
      const head = `${at}${event.status.padEnd(8)} ${line?.title ?? event.step} [${event.step}]${tally ? ` — ${tally}` : ''}`;
      const shown = event.status === 'success' ? rest.slice(0, 2) : rest.slice(0, 6);
      return [head, ...shown.map((m) => `            ${m}`)].join('\n');
    }
    case 'storage-command':
      if (event.status === 'success') return undefined;
      return `${at}storage  ${event.command} on ${event.arrayId} (${event.devices.join(', ')}): ${event.status}${event.message ? ` — ${event.message}` : ''}`;
    case 'sync-progress': {
      if (!state.sync?.announce) return undefined;
      const waiting = event.devices.filter((d) => d.status !== 'complete');
      const slowest =
        waiting.length > 0 ? ` (slowest ${waiting.reduce((a, b) => (b.percent < a.percent ? b : a)).device})` : '';
      return `${at}sync     ${state.sync.overall} % copied over ${event.devices.length} device(s)${slowest}`;
    }
    case 'vm-failed':
      return `${at}VM       ${event.vm} failed on ${event.host}: ${event.message}`;
    case 'prompt-waiting':
      return `${at}PROMPT   ${event.vm ? `(${event.vm}) ` : ''}${event.text}`;
    case 'prompt-answered':
      return `${at}answer   "${event.answer}" by ${event.answeredBy}`;
    case 'message':
      return event.level === 'info' ? `${at}${event.text}` : `${at}${event.level.padEnd(8)} ${event.text}`;
    case 'run-finished':
      return `${at}Finished: ${event.result}`;
    default:
      return undefined;
  }
}
