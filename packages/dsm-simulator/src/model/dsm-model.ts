import type { JsonObject } from '../protocol/body.js';
import { refuse, type Outcome } from '../protocol/outcome.js';
import { restoreDsmState, snapshotDsmState, type DsmModelState } from './persistence.js';
import { purgeExpiredReplays } from './replay-operations.js';
import type { StorageCenterRecord } from './records.js';
import { DsmState, type StateConfig } from './state.js';
import { advanceTransfers, replanTransfers } from './transfers.js';
import { activeReplayId, WireWriter } from './wire.js';
import type { WireStyle } from './wire-style.js';

/**
 * The simulated Data Collector's data: the state, the wire view of it, and the controls tests
 * use beyond the REST API (an array going down, a host going down). Reads return the same JSON
 * the REST API would, so a test can compare what it sees with what a client saw.
 */
export class DsmModel {
  readonly state: DsmState;
  readonly wire: WireWriter;

  constructor(
    config: StateConfig,
    style: WireStyle,
    private readonly userName: () => string = () => 'Admin',
  ) {
    this.state = new DsmState(config);
    this.wire = new WireWriter(this.state, style);
  }

  /** Everything the Data Collector holds, as plain JSON (a deep copy). */
  snapshot(): DsmModelState {
    return snapshotDsmState(this.state);
  }

  /**
   * Replaces the model's content with a saved snapshot (checked: DR_INPUT_INVALID naming the
   * field otherwise). Transfers continue from the clock: give the clock the saved time too.
   */
  restore(saved: DsmModelState): void {
    restoreDsmState(this.state, saved);
  }

  /** Brings transfers and expirations up to the clock; run before a request is answered. */
  advance(): void {
    advanceTransfers(this.state);
    purgeExpiredReplays(this.state);
  }

  storageCenters(): JsonObject[] {
    this.advance();
    return [...this.state.storageCenters.values()].map((sc) => this.wire.storageCenter(sc, this.userName()));
  }

  volumes(ssn?: number): JsonObject[] {
    this.advance();
    return [...this.state.volumes.values()]
      .filter((v) => ssn === undefined || v.ssn === ssn)
      .map((v) => this.wire.volume(v));
  }

  /** Volumes named `name` (names are not unique on an SC). */
  volumesNamed(name: string, ssn?: number): JsonObject[] {
    return this.volumes(ssn).filter((v) => v['name'] === name);
  }

  /** Frozen replays of a volume, oldest first, then its active replay (as ReplayList answers). */
  replayList(volumeId: string): JsonObject[] {
    this.advance();
    const volume = this.state.volumes.get(volumeId);
    if (!volume) return [];
    return [...this.state.replaysOf(volumeId).map((r) => this.wire.replay(r)), this.wire.activeReplay(volume)];
  }

  activeReplayIdOf(volumeId: string): string | undefined {
    const volume = this.state.volumes.get(volumeId);
    return volume ? activeReplayId(volume) : undefined;
  }

  replications(): JsonObject[] {
    this.advance();
    return [...this.state.replications.values()].map((r) => this.wire.replication(r));
  }

  replicationProgress(replicationId: string): JsonObject | undefined {
    this.advance();
    const replication = this.state.replications.get(replicationId);
    return replication ? this.wire.replicationProgress(replication) : undefined;
  }

  liveVolumes(): JsonObject[] {
    this.advance();
    return [...this.state.liveVolumes.values()].map((lv) => this.wire.liveVolume(lv));
  }

  servers(ssn?: number): JsonObject[] {
    return [...this.state.servers.values()]
      .filter((s) => ssn === undefined || s.ssn === ssn)
      .map((s) => this.wire.server(s));
  }

  mappingProfiles(volumeId?: string): JsonObject[] {
    return [...this.state.mappingProfiles.values()]
      .filter((m) => volumeId === undefined || m.volumeId === volumeId)
      .map((m) => this.wire.mappingProfile(m));
  }

  qosNodes(ssn?: number): JsonObject[] {
    return [...this.state.qosNodes.values()]
      .filter((q) => ssn === undefined || q.ssn === ssn)
      .map((q) => this.wire.qosNode(q));
  }

  restorePoints(): JsonObject[] {
    return [...this.state.restorePoints.values()].map((p) => this.wire.restorePoint(p));
  }

  /**
   * An array going down (its site lost) or coming back. While down its data stays readable from
   * the Data Collector's cache, but actions on it are refused and its replications stop; when it
   * returns, waiting transfers start again.
   */
  setStorageCenterConnected(ssn: number, connected: boolean): Outcome<StorageCenterRecord> {
    const sc = this.state.storageCenters.get(ssn);
    if (!sc) return refuse(404, `Storage Center ${ssn} is not managed by this Data Collector.`);
    const wasConnected = sc.connected;
    sc.connected = connected;
    if (connected && !wasConnected) {
      for (const replication of this.state.replications.values()) {
        if (replication.ssn === ssn || replication.destinationSsn === ssn) replanTransfers(this.state, replication);
      }
    }
    return { ok: true, value: sc };
  }

  /** A host at a site going down (`status: "Down"`), e.g. to exercise MapToDownServerHbas. */
  setServerUp(serverId: string, up: boolean): boolean {
    const server = this.state.servers.get(serverId);
    if (!server) return false;
    server.up = up;
    return true;
  }
}
