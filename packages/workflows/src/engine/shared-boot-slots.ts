import type { SharedSlots } from '@drctl/domain';
import { normalizeLimit, SlotPool, type ReleaseSlot, type SlotLimits, type SlotRequest } from '@drctl/scheduler';

/**
 * The engine's boot/shutdown slot pool, whose per-host and per-cluster limits also hold across
 * every engine sharing the store: a slot granted here (ranked, within this engine) is then
 * counted against the other engines' boots on the same host and cluster before it is handed out.
 * Host first, then cluster, always in that order, so two engines never wait on each other.
 */
export class SharedBootSlots extends SlotPool {
  constructor(
    private readonly bootLimits: SlotLimits,
    private readonly shared: SharedSlots,
  ) {
    super(bootLimits);
  }

  override async acquire(request: SlotRequest): Promise<ReleaseSlot> {
    const local = await super.acquire(request);
    const held: Array<() => Promise<void>> = [];
    const releaseAll: ReleaseSlot = () => {
      local();
      for (const release of held.splice(0)) void release().catch(() => undefined);
    };
    try {
      const hostLimit = normalizeLimit(this.bootLimits.hostLimit(request.host), `host ${request.host}`);
      held.push(await this.shared.acquire(`boot-host/${request.host}`, hostLimit, request.signal));
      const clusterLimit = normalizeLimit(this.bootLimits.clusterLimit(request.cluster), `cluster ${request.cluster}`);
      held.push(await this.shared.acquire(`boot-cluster/${request.cluster}`, clusterLimit, request.signal));
    } catch (error) {
      releaseAll();
      throw error;
    }
    return releaseAll;
  }
}
