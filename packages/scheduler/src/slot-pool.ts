import { DrError, abortReason } from '@drctl/domain';
import { IndexedHeap, NOT_IN_HEAP } from './indexed-heap.js';
import { normalizeLimit, type SlotLimits } from './limits.js';

/** Gives a slot back; calling it again does nothing. */
export type ReleaseSlot = () => void;

export interface SlotRequest {
  host: string;
  cluster: string;
  /** Lower ranks are served first; equal ranks in the order they asked. */
  rank: number;
  /** Aborting it while the request waits withdraws it: the promise rejects with the abort reason. */
  signal?: AbortSignal | undefined;
}

/** Live use of one host or cluster. */
export interface SlotGauge {
  name: string;
  /** Infinity when unlimited. */
  limit: number;
  inUse: number;
  peakInUse: number;
  waiting: number;
}

export interface SlotPoolGauges {
  inUse: number;
  peakInUse: number;
  waiting: number;
  hosts: Array<SlotGauge & { cluster: string }>;
  clusters: SlotGauge[];
}

interface Waiter {
  heapIndex: number;
  rank: number;
  seq: number;
  host: HostState;
  resolve: (release: ReleaseSlot) => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
}

/** The waiters of one signal: a single abort listener serves them all, however many there are. */
interface SignalWatch {
  waiters: Set<Waiter>;
  onAbort: () => void;
}

interface HostState {
  /** Position among its cluster's hosts that have both waiters and room. */
  heapIndex: number;
  name: string;
  cluster: ClusterState;
  limit: number;
  inUse: number;
  peakInUse: number;
  waiters: IndexedHeap<Waiter>;
}

interface ClusterState {
  name: string;
  limit: number;
  inUse: number;
  peakInUse: number;
  waiting: number;
  /** Hosts with a waiter and a free host slot, best head waiter first. */
  grantableHosts: IndexedHeap<HostState>;
}

const waiterBefore = (a: Waiter, b: Waiter): boolean => a.rank < b.rank || (a.rank === b.rank && a.seq < b.seq);
const hostBefore = (a: HostState, b: HostState): boolean => waiterBefore(a.waiters.peek()!, b.waiters.peek()!);

/**
 * Boot/shutdown slots bounded per host and per cluster, shared by every run of one engine (plans
 * recovering to the same site share the limits).
 *
 * Work-conserving: the moment a slot frees or a request arrives, the best-ranked waiter whose host
 * and cluster both have room is granted, so no slot idles while a request it could serve waits.
 * Every decision costs O(log n): each host keeps its waiters in a heap, and each cluster keeps a
 * heap of its hosts that have a waiter and a free host slot, ordered by their best waiter. A host
 * belongs to one cluster; qualify names (e.g. with the site) where they could repeat.
 */
export class SlotPool {
  private readonly hosts = new Map<string, HostState>();
  private readonly clusters = new Map<string, ClusterState>();
  private seq = 0;
  private used = 0;
  private peak = 0;
  private waitingCount = 0;
  private readonly watches = new Map<AbortSignal, SignalWatch>();

  constructor(private readonly limits: SlotLimits) {}

  /**
   * Resolves with the function that gives the slot back, once the host and the cluster have room.
   * Throws a DrError at once for a programming error: a host named with two clusters, or a limit
   * that is not a count.
   */
  acquire(request: SlotRequest): Promise<ReleaseSlot> {
    const { signal } = request;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const host = this.hostState(request.host, request.cluster);
    return new Promise<ReleaseSlot>((resolve, reject) => {
      const waiter: Waiter = {
        heapIndex: NOT_IN_HEAP,
        rank: request.rank,
        seq: this.seq++,
        host,
        resolve,
        reject,
        signal,
      };
      host.waiters.push(waiter);
      host.cluster.waiting++;
      this.waitingCount++;
      this.refreshGrantable(host);
      this.dispatch(host.cluster);
      // Only a request that has to wait needs to hear about an abort.
      if (signal && host.waiters.has(waiter)) this.watch(signal, waiter);
    });
  }

  /** Slots held now, across every host. */
  get inUse(): number {
    return this.used;
  }

  /** Most slots ever held at once. */
  get peakInUse(): number {
    return this.peak;
  }

  /** Requests waiting for a slot. */
  get waiting(): number {
    return this.waitingCount;
  }

  hostInUse(host: string): number {
    return this.hosts.get(host)?.inUse ?? 0;
  }

  hostPeakInUse(host: string): number {
    return this.hosts.get(host)?.peakInUse ?? 0;
  }

  clusterInUse(cluster: string): number {
    return this.clusters.get(cluster)?.inUse ?? 0;
  }

  clusterPeakInUse(cluster: string): number {
    return this.clusters.get(cluster)?.peakInUse ?? 0;
  }

  /** A copy of every gauge, for reports and tests. */
  gauges(): SlotPoolGauges {
    return {
      inUse: this.used,
      peakInUse: this.peak,
      waiting: this.waitingCount,
      hosts: [...this.hosts.values()].map((h) => ({
        name: h.name,
        cluster: h.cluster.name,
        limit: h.limit,
        inUse: h.inUse,
        peakInUse: h.peakInUse,
        waiting: h.waiters.size,
      })),
      clusters: [...this.clusters.values()].map((c) => ({
        name: c.name,
        limit: c.limit,
        inUse: c.inUse,
        peakInUse: c.peakInUse,
        waiting: c.waiting,
      })),
    };
  }

  private hostState(name: string, clusterName: string): HostState {
    const known = this.hosts.get(name);
    if (known) {
      if (known.cluster.name !== clusterName) {
        throw new DrError(
          'DR_INPUT_INVALID',
          `Host ${name} was scheduled in cluster ${known.cluster.name} and cannot also be in cluster ${clusterName}.`,
          {
            issues: [{ path: 'cluster', message: `host ${name} belongs to cluster ${known.cluster.name}` }],
          },
        );
      }
      return known;
    }
    const state: HostState = {
      heapIndex: NOT_IN_HEAP,
      name,
      cluster: this.clusterState(clusterName),
      limit: normalizeLimit(this.limits.hostLimit(name), `host ${name}`),
      inUse: 0,
      peakInUse: 0,
      waiters: new IndexedHeap(waiterBefore),
    };
    this.hosts.set(name, state);
    return state;
  }

  private clusterState(name: string): ClusterState {
    let state = this.clusters.get(name);
    if (!state) {
      state = {
        name,
        limit: normalizeLimit(this.limits.clusterLimit(name), `cluster ${name}`),
        inUse: 0,
        peakInUse: 0,
        waiting: 0,
        grantableHosts: new IndexedHeap(hostBefore),
      };
      this.clusters.set(name, state);
    }
    return state;
  }

  /** Keeps `host` in its cluster's grantable heap exactly when it has a waiter and host room. */
  private refreshGrantable(host: HostState): void {
    const heap = host.cluster.grantableHosts;
    const grantable = host.waiters.size > 0 && host.inUse < host.limit;
    if (!grantable) heap.remove(host);
    else if (heap.has(host)) heap.update(host);
    else heap.push(host);
  }

  /** Grants waiters of `cluster`, best first, while the cluster has room and a host can take one. */
  private dispatch(cluster: ClusterState): void {
    while (cluster.inUse < cluster.limit) {
      const host = cluster.grantableHosts.peek();
      if (!host) return;
      const waiter = host.waiters.pop()!;
      cluster.waiting--;
      this.waitingCount--;
      if (waiter.signal) this.unwatch(waiter.signal, waiter);
      host.inUse++;
      cluster.inUse++;
      this.used++;
      host.peakInUse = Math.max(host.peakInUse, host.inUse);
      cluster.peakInUse = Math.max(cluster.peakInUse, cluster.inUse);
      this.peak = Math.max(this.peak, this.used);
      this.refreshGrantable(host);
      waiter.resolve(this.releaser(host));
    }
  }

  private releaser(host: HostState): ReleaseSlot {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      host.inUse--;
      host.cluster.inUse--;
      this.used--;
      this.refreshGrantable(host);
      this.dispatch(host.cluster);
    };
  }

  private watch(signal: AbortSignal, waiter: Waiter): void {
    let watch = this.watches.get(signal);
    if (!watch) {
      const waiters = new Set<Waiter>();
      watch = { waiters, onAbort: () => this.withdrawAll(signal, waiters) };
      this.watches.set(signal, watch);
      signal.addEventListener('abort', watch.onAbort, { once: true });
    }
    watch.waiters.add(waiter);
  }

  private unwatch(signal: AbortSignal, waiter: Waiter): void {
    const watch = this.watches.get(signal);
    if (!watch) return;
    watch.waiters.delete(waiter);
    if (watch.waiters.size === 0) {
      signal.removeEventListener('abort', watch.onAbort);
      this.watches.delete(signal);
    }
  }

  /**
   * Aborted waiters leave their queues. No grant can follow: that freed no capacity, and every
   * waiter still queued was already blocked by a full host or cluster.
   */
  private withdrawAll(signal: AbortSignal, waiters: Set<Waiter>): void {
    this.watches.delete(signal);
    const reason = abortReason(signal);
    for (const waiter of waiters) {
      const host = waiter.host;
      host.waiters.remove(waiter);
      host.cluster.waiting--;
      this.waitingCount--;
      this.refreshGrantable(host);
      waiter.reject(reason);
    }
  }
}
