// Public API of @drctl/inspect: statechart export (JSON, Mermaid) and live inspection of runs.
export { MACHINE_NAMES, isMachineName, machineByName } from './machines.js';
export type { MachineName } from './machines.js';
export { machineGraph } from './graph/machine-graph.js';
export type { MachineGraph, GraphNode, GraphEdge } from './graph/machine-graph.js';
export { mermaidDiagram, toMermaid } from './graph/mermaid.js';
export type { MermaidDiagram, MermaidOptions } from './graph/mermaid.js';
export { exportMachine, exportMachineGraph, EXPORT_FORMATS } from './export.js';
export type { ExportFormat } from './export.js';

export {
  actorFrame,
  eventFrame,
  snapshotFrame,
  machineDefinition,
  INSPECT_PROTOCOL_VERSION,
  DEFAULT_DEPTH_LIMIT,
} from './live/frames.js';
export type { InspectionFrame, ActorFrame, EventFrame, SnapshotFrame, InspectedSnapshot } from './live/frames.js';
export { sanitize, toWire, REDACTED } from './live/sanitize.js';
export { createXStateInspector } from './live/xstate-inspector.js';
export type { XStateInspectorOptions } from './live/xstate-inspector.js';
export { RunInspection } from './live/run-inspection.js';
export type { RunInspectionOptions, RunTrack } from './live/run-inspection.js';
export { stepStateId, initialStateId, stateValueOf, finalStateOf, stateFromReport } from './live/run-state.js';
export type { RunEndFacts } from './live/run-state.js';
