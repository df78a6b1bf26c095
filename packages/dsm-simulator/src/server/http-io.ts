import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Reply } from '../routes/reply.js';

const MAX_BODY_BYTES = 1024 * 1024;

export type BodyResult = { ok: true; body: unknown } | { ok: false; reason: string };

/** Reads and parses a JSON body; an empty body is `undefined`. */
export async function readJsonBody(request: IncomingMessage): Promise<BodyResult> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) return { ok: false, reason: 'Invalid body format: the body is larger than 1 MiB.' };
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return { ok: true, body: undefined };
  try {
    return { ok: true, body: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, reason: 'Invalid body format: the body is not valid JSON.' };
  }
}

export function sendReply(response: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { ...(reply.headers ?? {}) };
  let payload: string | undefined;
  if (reply.body !== undefined && reply.status !== 204) {
    payload = JSON.stringify(reply.body);
    headers['content-type'] = 'application/json; charset=utf-8';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  response.writeHead(reply.status, headers);
  response.end(payload);
}

/**
 * Drops the connection with a TCP reset, so the client sees ECONNRESET rather than a clean
 * close. A TLS socket cannot reset itself; the TCP socket under it (`_parent`) can.
 */
export function resetConnection(response: ServerResponse): void {
  // Node's types do not name the TLS socket's TCP parent, so the assertion is needed (the lint
  // rule, seeing through the declaration merge, thinks otherwise).
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
  const socket = response.socket as (Socket & { _parent?: Socket }) | null;
  if (!socket) return;
  const raw = socket._parent;
  if (raw && typeof raw.resetAndDestroy === 'function') {
    try {
      raw.resetAndDestroy();
    } catch {
      // Already gone: destroying the TLS socket below is enough.
    }
  }
  socket.destroy();
}
