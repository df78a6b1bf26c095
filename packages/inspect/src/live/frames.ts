import type { AnyStateMachine } from 'xstate';
import { toWire } from './sanitize.js';

/**
 * The frames `@statelyai/inspect` sends over its WebSocket (`createWebSocketInspector`) and
 * reads back (`createWebSocketReceiver`): one JSON object per message, of three kinds.
 */
export interface InspectedSnapshot {
  status: 'active' | 'done' | 'error' | 'stopped';
  value?: unknown;
  context?: unknown;
  output?: unknown;
}

interface FrameBase {
  /** The actor the frame is about. */
  sessionId: string;
  /** The root actor of its system (for drctl: the run). */
  rootId: string | undefined;
  /** Epoch milliseconds, as a string (the library's format). */
  createdAt: string;
  id: string | null;
  _version: string;
}

export interface ActorFrame extends FrameBase {
  type: '@xstate.actor';
  name: string;
  /** JSON of the machine config, so the inspector can draw it. */
  definition: string | undefined;
  parentId: string | undefined;
  snapshot: InspectedSnapshot;
}

export interface EventFrame extends FrameBase {
  type: '@xstate.event';
  event: { type: string; [key: string]: unknown };
  sourceId: string | undefined;
}

export interface SnapshotFrame extends FrameBase {
  type: '@xstate.snapshot';
  event: { type: string; [key: string]: unknown };
  snapshot: InspectedSnapshot;
}

export type InspectionFrame = ActorFrame | EventFrame | SnapshotFrame;

/** The `_version` field: the @statelyai/inspect release whose protocol these frames follow. */
export const INSPECT_PROTOCOL_VERSION = '0.7.2';

/**
 * Depth kept when serializing definitions, snapshots and events. The library's default (10)
 * cuts the failback machine's nested phases; drctl's deepest config needs about 12.
 */
export const DEFAULT_DEPTH_LIMIT = 64;

/** The machine's config as the inspector expects it: JSON text, functions replaced by their names. */
export function machineDefinition(machine: AnyStateMachine, depthLimit = DEFAULT_DEPTH_LIMIT): string {
  return JSON.stringify(toWire(machine.config, depthLimit));
}

const base = (sessionId: string, rootId: string | undefined, at: number): FrameBase => ({
  sessionId,
  rootId,
  createdAt: String(at),
  id: null,
  _version: INSPECT_PROTOCOL_VERSION,
});

export function actorFrame(args: {
  sessionId: string;
  rootId: string;
  parentId?: string;
  name: string;
  definition?: string;
  snapshot: InspectedSnapshot;
  at: number;
}): ActorFrame {
  return {
    type: '@xstate.actor',
    ...base(args.sessionId, args.rootId, args.at),
    name: args.name,
    definition: args.definition,
    parentId: args.parentId,
    snapshot: toWire(args.snapshot) as InspectedSnapshot,
  };
}

export function eventFrame(args: {
  sessionId: string;
  rootId: string;
  event: { type: string; [key: string]: unknown };
  sourceId?: string;
  at: number;
}): EventFrame {
  return {
    type: '@xstate.event',
    ...base(args.sessionId, args.rootId, args.at),
    event: toWire(args.event) as EventFrame['event'],
    sourceId: args.sourceId,
  };
}

export function snapshotFrame(args: {
  sessionId: string;
  rootId: string;
  event: { type: string; [key: string]: unknown };
  snapshot: InspectedSnapshot;
  at: number;
}): SnapshotFrame {
  return {
    type: '@xstate.snapshot',
    ...base(args.sessionId, args.rootId, args.at),
    event: toWire(args.event) as SnapshotFrame['event'],
    snapshot: toWire(args.snapshot) as InspectedSnapshot,
  };
}
