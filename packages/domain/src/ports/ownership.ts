import type { DocumentStore } from './store.js';

/**
 * Run ownership across several engines sharing one store. An engine owns a run through a lease
 * (owner, expiry, fencing token) that it renews by heartbeat; another engine may take the lease
 * once it expired, and the token grows with every acquisition, so writes and commands of the
 * previous owner can be refused after a takeover.
 */
export interface RunLease {
  readonly name: string;
  /** The engine holding it. */
  readonly owner: string;
  /** Grows on every acquisition of this name; a write carrying an older token is refused. */
  readonly token: number;
  /** Set when this lease was taken from another engine whose lease had expired. */
  readonly takenFrom: { owner: string; expiredAt: string } | undefined;
  /**
   * Throws DrError DR_LEASE_LOST unless the lease is certainly still held: renewed within its
   * duration (by this process's monotonic clock, which keeps counting while the process is
   * paused) and not reported lost by a heartbeat.
   */
  assertHeld(): void;
  /** Called once when the lease is found lost (a heartbeat saw another owner, or it expired). */
  onLost(listener: (reason: string) => void): void;
  /** Gives the lease up; idempotent. */
  release(): Promise<void>;
}

export interface RunOwnership {
  /** This engine's id, as stored in leases and reports. */
  readonly engineId: string;
  /** Takes the lease `name` for this engine; null when another engine holds it and it has not expired. */
  acquire(name: string): Promise<RunLease | null>;
  /** The store seen through a lease: every write lands only while the lease's token is current. */
  fenced(lease: RunLease): DocumentStore;
  /** Leases named `prefix…` whose owner stopped renewing them: runs waiting for a takeover. */
  expired(prefix: string): Promise<ExpiredLease[]>;
}

export interface ExpiredLease {
  name: string;
  owner: string;
  token: number;
  expiredAt: string;
}

/** One engine as the shared store knows it (`drctl engines`). */
export interface EngineRecord {
  engineId: string;
  startedAt: string;
  /** Its last heartbeat, by the database clock. */
  heartbeatAt: string;
  /** Heartbeat within the lease duration: the engine is running (or was, a moment ago). */
  alive: boolean;
  /** What the engine said about itself when it registered (host, pid, what it serves). */
  details: Record<string, unknown>;
  /** The runs whose lease it holds now, expired ones included until another engine takes them. */
  runs: Array<{ runId: string; token: number; expiresAt: string; expired: boolean }>;
}

/** The engines sharing a store: each registers and heartbeats while it runs. */
export interface EngineRegistry {
  /** Registers this engine (again) and heartbeats it until the returned stop is called. */
  register(details: Record<string, unknown>): Promise<{ stop: () => Promise<void> }>;
  /** Every engine registered, newest heartbeat first, with the runs it owns. */
  engines(): Promise<EngineRecord[]>;
}

/**
 * Messages between the engines sharing a store (PostgreSQL LISTEN/NOTIFY): a run's events for the
 * API clients of every engine, prompt answers given through another engine, released leases.
 * Best effort and small: a message can be lost (an engine that was not listening), so nothing
 * durable depends on one; polling remains the fallback.
 */
export interface Broadcast {
  /** Sends to every engine listening to `topic`, this one included. */
  publish(topic: string, message: unknown): Promise<void>;
  /** Listens to `topic` until the returned stop is called. */
  subscribe(topic: string, listener: (message: unknown) => void): Promise<() => Promise<void>>;
}
