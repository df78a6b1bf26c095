import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FaultSpec } from '../server/faults.js';
import type { DsmSimulator } from '../server/start.js';

export interface AdminServer {
  url: string;
  close(): Promise<void>;
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8').trim();
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

function send(response: ServerResponse, status: number, body?: unknown): void {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  response.writeHead(status, payload === undefined ? {} : { 'content-type': 'application/json' });
  response.end(payload);
}

/** A fault spec from JSON; a `path` written as `/.../flags` becomes a RegExp. */
export function faultFromJson(value: unknown): FaultSpec {
  if (typeof value !== 'object' || value === null || typeof (value as { kind?: unknown }).kind !== 'string') {
    throw new Error(
      'a fault is a JSON object with a "kind" (latency, hang, server-error, unhandled-exception, connection-reset, session-expiry, malformed-async-url)',
    );
  }
  const spec = { ...(value as Record<string, unknown>) };
  const path = spec['path'];
  if (typeof path === 'string') {
    const regex = /^\/(.+)\/([a-z]*)$/.exec(path);
    if (regex) spec['path'] = new RegExp(regex[1]!, regex[2]);
  }
  return spec as unknown as FaultSpec;
}

/**
 * Plain-HTTP control endpoint on loopback, separate from the DSM port so it keeps answering
 * while the simulated Data Collector is down:
 * GET/POST/DELETE /faults, DELETE /faults/{id}, GET /counters, POST /counters/reset,
 * POST /data-collector/{down[?forMs=n]|up}, POST /storage-centers/{serial}/{down|up}, POST /sessions/expire.
 */
export async function startAdminServer(simulator: DsmSimulator, port = 0, host = '127.0.0.1'): Promise<AdminServer> {
  const server: Server = createServer((request, response) => {
    route(simulator, request, response).catch((error: unknown) =>
      send(response, 400, { error: (error as Error).message }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function route(simulator: DsmSimulator, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const method = request.method ?? 'GET';
  const url = new URL(request.url ?? '/', 'http://admin');
  const parts = url.pathname.split('/').filter(Boolean);
  const [first, second, third] = parts;
  const faults = simulator.faults;
  if (first === 'faults' && parts.length === 1) {
    if (method === 'GET') return send(response, 200, faults.list());
    if (method === 'POST') return send(response, 201, faults.add(faultFromJson(await readJson(request))));
    if (method === 'DELETE') {
      faults.clear();
      return send(response, 204);
    }
  }
  if (first === 'faults' && second && method === 'DELETE')
    return send(response, faults.remove(Number(second)) ? 204 : 404);
  if (first === 'counters' && !second && method === 'GET')
    return send(response, 200, { calls: simulator.counters.list(), repeated: simulator.counters.repeated() });
  if (first === 'counters' && second === 'reset' && method === 'POST') {
    simulator.counters.reset();
    return send(response, 204);
  }
  if (first === 'data-collector' && method === 'POST' && (second === 'down' || second === 'up')) {
    const forMs = url.searchParams.get('forMs');
    await (second === 'down'
      ? faults.dataCollectorDown(forMs === null ? {} : { forMs: Number(forMs) })
      : faults.dataCollectorUp());
    return send(response, 204);
  }
  if (first === 'storage-centers' && second && method === 'POST' && (third === 'down' || third === 'up')) {
    const done = third === 'down' ? faults.storageCenterDown(Number(second)) : faults.storageCenterUp(Number(second));
    return send(response, done ? 204 : 404);
  }
  if (first === 'sessions' && second === 'expire' && method === 'POST') {
    faults.expireAllSessions();
    return send(response, 204);
  }
  send(response, 404, { error: `unknown admin call ${method} /${parts.join('/')}` });
}
