import type { InspectionFrame, RunInspection } from '@drctl/inspect';

/** The part of a WebSocket the hub uses. */
export interface FrameSocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

const OPEN = 1;
/** A client this far behind loses frames rather than growing the server's memory. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/**
 * Fans inspection frames out to WebSocket clients (the viewer, or `@statelyai/inspect`'s
 * `createWebSocketReceiver`), each optionally watching one run. A new client first gets every
 * actor it should know and that actor's latest snapshot.
 */
export class InspectHub {
  private readonly clients = new Map<FrameSocket, string | undefined>();

  constructor(private readonly inspection: RunInspection) {}

  add(socket: FrameSocket, runId?: string): void {
    this.clients.set(socket, runId);
    for (const frame of this.inspection.frames(runId)) socket.send(JSON.stringify(frame));
  }

  remove(socket: FrameSocket): void {
    this.clients.delete(socket);
  }

  readonly broadcast = (frame: InspectionFrame): void => {
    if (this.clients.size === 0) return;
    const text = JSON.stringify(frame);
    for (const [socket, runId] of this.clients) {
      if (socket.readyState !== OPEN) continue;
      if (runId !== undefined && frame.rootId !== runId) continue;
      if (socket.bufferedAmount > MAX_BUFFERED_BYTES) continue;
      socket.send(text);
    }
  };

  closeAll(): void {
    for (const socket of this.clients.keys()) socket.close(1001, 'server closing');
    this.clients.clear();
  }
}
