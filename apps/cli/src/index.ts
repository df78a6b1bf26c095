// Public API of drctl (the CLI package): the command line as a function, for embedding and tests.
export { runCli, buildProgram } from './cli/program.js';
export { processIo, isInteractive } from './cli/io.js';
export type { CliIo } from './cli/io.js';
export { EXIT_CODES, exitCodeForResult, exitCodeForError } from './cli/exit-codes.js';
export type { ExitCode } from './cli/exit-codes.js';
export { describeError, errorDocument } from './cli/errors.js';
export { summarizeReport, reportLine } from './report/summary.js';
export { peakOverlap, bootSpans, storageSpans, highestPeak } from './report/concurrency.js';
export type { Span, Peak } from './report/concurrency.js';
export { initialProgress, applyEvent, applyReport, poweredOnPriorities, vmCounts } from './progress/progress-state.js';
export type { ProgressState, StepLine, PriorityProgress } from './progress/progress-state.js';
export { renderBlock, TerminalView } from './progress/terminal-view.js';
export { eventLine } from './progress/event-lines.js';
