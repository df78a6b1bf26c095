import type { SharedSlots } from '@drctl/domain';
import { normalizeLimit, SlotPool, type ReleaseSlot, type SlotLimits, type SlotRequest } from '@drctl/scheduler';

type GiveBack = () => Promise<void>;

/** A host's or cluster's shared slot: its name in the store and its limit, worked out once. */
interface SharedName {
  name: string;
  limit: number;
}

/**
 * The engine's boot/shutdown slot pool, whose per-host and per-cluster limits also hold across
 * every engine sharing the store: a slot granted here (ranked, within this engine) is then
 * counted against the other engines' boots on the same host and cluster before it is handed out.
 * Host first, then cluster, always in that order, so two engines never wait on each other.
 */
export class SharedBootSlots extends SlotPool {
  /** Per host and per cluster name. */
  private readonly hostNames = new Map<string, SharedName>();
  private readonly clusterNames = new Map<string, SharedName>();

  constructor(
    private readonly bootLimits: SlotLimits,
    private readonly shared: SharedSlots,
  ) {
    super(bootLimits);
  }

  override acquire(request: SlotRequest): Promise<ReleaseSlot> {
    return super.acquire(request).then((local) => {
      const held: GiveBack[] = [];
      const releaseAll: ReleaseSlot = () => {
        local();
        for (const release of held.splice(0)) void release().catch(() => undefined);
      };
      try {
        const host = this.sharedName('host', request.host);
        const cluster = this.sharedName('cluster', request.cluster);
        // A slot per VM, thousands a run, and nearly always free: taken without waiting when it
        // is, so a VM's boot costs no extra turn of the event loop per shared limit.
        const hostNow = this.shared.tryAcquire?.(host.name, host.limit);
        if (hostNow) {
          held.push(hostNow);
          const clusterNow = this.shared.tryAcquire?.(cluster.name, cluster.limit);
          if (clusterNow) {
            held.push(clusterNow);
            return releaseAll;
          }
        }
        return this.waitForShared(held, host, cluster, request.signal, releaseAll);
      } catch (error) {
        releaseAll();
        throw error;
      }
    });
  }

  /** Takes what `held` lacks of the host's and the cluster's shared slots, waiting as long as it takes. */
  private async waitForShared(
    held: GiveBack[],
    host: SharedName,
    cluster: SharedName,
    signal: AbortSignal | undefined,
    releaseAll: ReleaseSlot,
  ): Promise<ReleaseSlot> {
    try {
      if (held.length === 0) held.push(await this.shared.acquire(host.name, host.limit, signal));
      held.push(await this.shared.acquire(cluster.name, cluster.limit, signal));
    } catch (error) {
      releaseAll();
      throw error;
    }
    return releaseAll;
  }

  /** The shared slot of a host or a cluster, worked out on first use (as the local pool reads its limits). */
  private sharedName(kind: 'host' | 'cluster', key: string): SharedName {
    const names = kind === 'host' ? this.hostNames : this.clusterNames;
    let named = names.get(key);
    if (!named) {
      const configured = kind === 'host' ? this.bootLimits.hostLimit(key) : this.bootLimits.clusterLimit(key);
      named = { name: `boot-${kind}/${key}`, limit: normalizeLimit(configured, `${kind} ${key}`) };
      names.set(key, named);
    }
    return named;
  }
}
