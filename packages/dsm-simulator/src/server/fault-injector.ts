import type { Clock } from '@drctl/domain';
import type { DsmModel } from '../model/dsm-model.js';
import type { ActiveFault, AsyncUrlVariant, FaultMatch, FaultSpec, FaultTable } from './faults.js';

/** What the injector needs from the running server to take the Data Collector down. */
export interface DataCollectorControl {
  stop(): Promise<void>;
  start(): Promise<void>;
  readonly listening: boolean;
  expireSessions(): void;
}

type Match = Omit<FaultMatch, 'when'>;
type MatchWithTiming = FaultMatch;

/**
 * Faults on demand. Request faults take an optional match (method, path pattern, `times` for
 * the next N matching calls only); the Data Collector and Storage Centers can be taken down
 * and brought back.
 */
export class FaultInjector {
  private cancelRestart: (() => void) | undefined;

  constructor(
    private readonly table: FaultTable,
    private readonly model: DsmModel,
    private readonly control: DataCollectorControl,
    private readonly clock: Clock,
  ) {}

  add(spec: FaultSpec): ActiveFault {
    return this.table.add(spec);
  }

  /** Adds `ms` of delay to every matching request. */
  latency(ms: number, match: Match = {}): ActiveFault {
    return this.add({ kind: 'latency', ms, ...match });
  }

  /** Matching requests are never answered; the client has to give up (its timeout or abort). */
  hang(match: MatchWithTiming = {}): ActiveFault {
    return this.add({ kind: 'hang', ...match });
  }

  serverError(match: MatchWithTiming = {}, message?: string): ActiveFault {
    return this.add({ kind: 'server-error', ...match, ...(message ? { message } : {}) });
  }

  /** 400 "Unhandled Exception", which Cinder retries on GET. */
  unhandledException(match: MatchWithTiming = {}): ActiveFault {
    return this.add({ kind: 'unhandled-exception', ...match });
  }

  connectionReset(match: MatchWithTiming = {}): ActiveFault {
    return this.add({ kind: 'connection-reset', ...match });
  }

  /** The session of the next matching request expires: it gets 401 and must log in again. */
  sessionExpiry(match: Match = { times: 1 }): ActiveFault {
    return this.add({ kind: 'session-expiry', ...match });
  }

  /** The next matching async call's AsyncTask has a bad `returnValue`. */
  malformedAsyncUrl(variant: AsyncUrlVariant, match: Match = { times: 1 }): ActiveFault {
    return this.add({ kind: 'malformed-async-url', variant, ...match });
  }

  /** Every session ends at once (as when the Data Collector service restarts). */
  expireAllSessions(): void {
    this.control.expireSessions();
  }

  remove(fault: ActiveFault | number): boolean {
    return this.table.remove(typeof fault === 'number' ? fault : fault.id);
  }

  /** Current state of a fault (hits so far, calls remaining), or undefined once used up. */
  get(fault: ActiveFault | number): ActiveFault | undefined {
    return this.table.get(typeof fault === 'number' ? fault : fault.id);
  }

  list(): ActiveFault[] {
    return this.table.list();
  }

  /** Removes every request fault (arrays and the Data Collector stay as they are). */
  clear(): void {
    this.table.clear();
  }

  /**
   * The Data Collector goes down: the port stops listening (connection refused), open
   * connections drop, and sessions are lost as when the service stops.
   */
  async dataCollectorDown(options: { forMs?: number } = {}): Promise<void> {
    this.cancelRestart?.();
    this.cancelRestart = undefined;
    this.control.expireSessions();
    await this.control.stop();
    if (options.forMs !== undefined) {
      // Outage length is simulated time: under a virtual clock it ends when the run's clock gets there.
      this.cancelRestart = this.clock.setTimer(options.forMs, () => {
        this.cancelRestart = undefined;
        this.control.start().catch(() => undefined);
      });
    }
  }

  /** The Data Collector listens again on the same port. */
  async dataCollectorUp(): Promise<void> {
    this.cancelRestart?.();
    this.cancelRestart = undefined;
    await this.control.start();
  }

  /** Cancels a pending automatic restart (the simulator is closing). */
  dispose(): void {
    this.cancelRestart?.();
    this.cancelRestart = undefined;
  }

  get dataCollectorListening(): boolean {
    return this.control.listening;
  }

  /** A Storage Center goes down (its site lost): actions on it are refused, its replications stop. */
  storageCenterDown(serial: number): boolean {
    return this.model.setStorageCenterConnected(serial, false).ok;
  }

  storageCenterUp(serial: number): boolean {
    return this.model.setStorageCenterConnected(serial, true).ok;
  }
}
