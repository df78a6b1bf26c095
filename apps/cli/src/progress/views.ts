import type { EngineEvent } from '@drctl/workflows';
import { printJson, println, type CliIo } from '../cli/io.js';
import { eventLine } from './event-lines.js';
import type { ProgressState } from './progress-state.js';

/** Shows a run as it goes. The state is folded by the caller; a view only renders it. */
export interface ProgressView {
  update(state: ProgressState, event: EngineEvent): void;
  /** Stop drawing (a question is being asked on the terminal). */
  pause(): void;
  resume(): void;
  /** The run ended or the process detaches from it: draw the last frame. */
  close(state: ProgressState | undefined): void;
}

/** `--json`: every event as one JSON line, nothing else. */
export class JsonLinesView implements ProgressView {
  constructor(private readonly io: CliIo) {}
  update(_state: ProgressState, event: EngineEvent): void {
    printJson(this.io, event);
  }
  pause(): void {}
  resume(): void {}
  close(): void {}
}

/** Not a terminal (a pipe, a CI log): one plain line per event worth logging. */
export class PlainLinesView implements ProgressView {
  constructor(private readonly io: CliIo) {}
  update(state: ProgressState, event: EngineEvent): void {
    const line = eventLine(state, event);
    if (line !== undefined) println(this.io, line);
  }
  pause(): void {}
  resume(): void {}
  close(): void {}
}
