import { normalizeLimit, SlotPool, type ReleaseSlot, type SlotLimits, type SlotRequest } from '@drctl/scheduler';
import type { Claim, ReusedSlots } from './reused-slots.js';

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
    private readonly shared: ReusedSlots,
  ) {
    super(bootLimits);
  }

  override acquire(request: SlotRequest): Promise<ReleaseSlot> {
    return super.acquire(request).then((local) => {
      let host: SharedName | undefined;
      let hostClaim: Claim | undefined;
      try {
        host = this.sharedName('host', request.host);
        const cluster = this.sharedName('cluster', request.cluster);
        // A slot per VM, thousands a run, and nearly always free: taken without waiting when it
        // is, so a VM's boot costs no extra turn of the event loop, promise or closure per
        // shared limit.
        hostClaim = this.shared.claimNow(host.name, host.limit);
        if (hostClaim) {
          const clusterClaim = this.shared.claimNow(cluster.name, cluster.limit);
          if (clusterClaim) return this.releaseShared(local, host, hostClaim, cluster, clusterClaim);
        }
        // Waiting: what is held is given back as the waiting path does it.
        const held: GiveBack[] = hostClaim ? [this.shared.lendClaim(host.name, hostClaim)] : [];
        hostClaim = undefined;
        const releaseAll: ReleaseSlot = () => {
          local();
          for (const release of held.splice(0)) void release().catch(() => undefined);
        };
        return this.waitForShared(held, host, cluster, request.signal, releaseAll);
      } catch (error) {
        local();
        if (host && hostClaim) this.shared.giveBackNow(host.name, hostClaim);
        throw error;
      }
    });
  }

  /** Gives back, once, the local slot and the two shared ones taken at once. */
  private releaseShared(
    local: ReleaseSlot,
    host: SharedName,
    hostClaim: Claim,
    cluster: SharedName,
    clusterClaim: Claim,
  ) {
    let released = false;
    return (): void => {
      if (released) return;
      released = true;
      local();
      this.shared.giveBackNow(host.name, hostClaim);
      this.shared.giveBackNow(cluster.name, clusterClaim);
    };
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
