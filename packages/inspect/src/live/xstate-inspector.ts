import { createInspector } from '@statelyai/inspect';
import type { InspectionEvent, Observer } from 'xstate';
import { DEFAULT_DEPTH_LIMIT, type InspectionFrame } from './frames.js';
import { sanitize, toWire } from './sanitize.js';

export interface XStateInspectorOptions {
  /** Receives each frame, JSON-safe and with secrets redacted (e.g. to broadcast on a WebSocket). */
  send: (frame: InspectionFrame) => void;
  /** @default 64 (the library's default of 10 truncates nested machines) */
  serializationDepthLimit?: number;
}

/**
 * An XState `inspect` observer (`createActor(machine, { inspect })`) that turns XState's own
 * inspection events into `@statelyai/inspect` frames, through that library's converter, so a
 * Stately inspector reading the frames sees exactly what it would see from the library itself.
 * Contexts, events and definitions (which hold the initial context) are sanitized before they leave.
 */
export function createXStateInspector(options: XStateInspectorOptions): Observer<InspectionEvent> {
  const depthLimit = options.serializationDepthLimit ?? DEFAULT_DEPTH_LIMIT;
  const inspector = createInspector(
    {
      send: (frame) => {
        const wire = toWire(frame, depthLimit) as InspectionFrame;
        // The definition is the machine config, initial context included: sanitize it as well.
        if (wire.type === '@xstate.actor' && wire.definition)
          wire.definition = JSON.stringify(toWire(JSON.parse(wire.definition), depthLimit));
        options.send(wire);
      },
    },
    {
      serializationDepthLimit: depthLimit,
      sanitizeContext: (context) => sanitize(context, depthLimit),
      sanitizeEvent: (event) => sanitize(event, depthLimit),
    },
  );
  return inspector.inspect;
}
