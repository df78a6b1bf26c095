import type { Broadcast } from '@drctl/domain';
import type pg from 'pg';
import { pgDriver } from './pg-driver.js';

/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more. */
export const MAX_NOTIFY_BYTES = 7900;

/** Channel of a topic (SQL identifier characters only). */
const channelOf = (topic: string) => `drctl_${topic.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}`;

interface Envelope {
  ns: string;
  m: unknown;
}

/**
 * Broadcast over LISTEN/NOTIFY. Publishing is one `pg_notify` through the pool; listening holds
 * one dedicated connection, opened at the first subscription and reopened (with its LISTENs) if
 * the server drops it. Messages of other namespaces on the same channel are ignored; a message
 * too large for NOTIFY is refused rather than cut.
 */
export class PostgresBroadcast implements Broadcast {
  private client: pg.Client | undefined;
  private connecting: Promise<pg.Client> | undefined;
  private readonly listeners = new Map<string, Set<(message: unknown) => void>>();
  private closed = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly connectionString: string | undefined,
    private readonly namespace: string,
  ) {}

  async publish(topic: string, message: unknown): Promise<void> {
    const payload = JSON.stringify({ ns: this.namespace, m: message } satisfies Envelope);
    if (Buffer.byteLength(payload) > MAX_NOTIFY_BYTES)
      throw new RangeError(`A ${topic} message of ${Buffer.byteLength(payload)} bytes is too large to broadcast.`);
    await this.pool.query('SELECT pg_notify($1, $2)', [channelOf(topic), payload]);
  }

  async subscribe(topic: string, listener: (message: unknown) => void): Promise<() => Promise<void>> {
    const channel = channelOf(topic);
    let set = this.listeners.get(channel);
    const first = !set;
    if (!set) {
      set = new Set();
      this.listeners.set(channel, set);
    }
    set.add(listener);
    const client = await this.connect();
    if (first) await client.query(`LISTEN ${channel}`);
    return async () => {
      set.delete(listener);
      if (set.size > 0 || this.listeners.get(channel) !== set) return;
      this.listeners.delete(channel);
      await this.client?.query(`UNLISTEN ${channel}`).catch(() => undefined);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private connect(): Promise<pg.Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= this.open().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async open(): Promise<pg.Client> {
    // A dedicated connection: a pooled one goes back to the pool, and its LISTENs with it.
    const client = this.connectionString
      ? new (pgDriver().Client)({ connectionString: this.connectionString })
      : new (pgDriver().Client)(this.pool.options);
    await client.connect();
    client.on('notification', (n) => this.deliver(n.channel, n.payload));
    client.on('error', () => {
      // The server dropped the connection: listen again on a new one (messages meanwhile are lost).
      if (this.client === client) this.client = undefined;
      if (!this.closed && this.listeners.size > 0) void this.relisten();
    });
    this.client = client;
    return client;
  }

  private async relisten(): Promise<void> {
    for (let attempt = 0; attempt < 50 && !this.closed; attempt++) {
      try {
        const client = await this.connect();
        for (const channel of this.listeners.keys()) await client.query(`LISTEN ${channel}`);
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  private deliver(channel: string, payload: string | undefined): void {
    if (!payload) return;
    let envelope: Envelope;
    try {
      envelope = JSON.parse(payload) as Envelope;
    } catch {
      return;
    }
    if (envelope.ns !== this.namespace) return;
    for (const listener of [...(this.listeners.get(channel) ?? [])]) listener(envelope.m);
  }
}
