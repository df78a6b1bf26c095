import { onAbort, type SharedSlots } from '@drctl/domain';

type GiveBack = () => Promise<void>;

/** A slot taken from the shared store and not yet given back to it. */
export interface Claim {
  readonly giveBack: GiveBack;
  /** When no request here used it any more (performance.now()); set while it idles. */
  idleSince?: number;
}

/** The claim on a slot without a limit: nothing was taken, nothing goes back. */
const UNLIMITED: Claim = { giveBack: async () => undefined };

/** How long a shared slot no work of this engine uses stays claimed by it (real time). */
export const SLOT_IDLE_MS = 250;

/**
 * The engine's view of the shared slots: a slot this engine took from the store is handed from
 * one of its requests to the next without a round trip (a file created, a PostgreSQL transaction),
 * and given back to the store once none of its requests used it for `SLOT_IDLE_MS`.
 * A boot slot is taken for every VM — thousands a run — so going to the store each time would
 * cost more than the engine's own work. The limits still hold across engines: a slot kept here
 * is held in the store; another engine waits until this one's demand for that name pauses.
 */
export class ReusedSlots implements SharedSlots {
  /** Per name, the claims no request uses, oldest first (the newest is lent next). */
  private readonly idle = new Map<string, Claim[]>();
  private idleCount = 0;
  /** One timer for all idle claims, running while there are any: thousands of VMs, not thousands of timers. */
  private sweeper: NodeJS.Timeout | undefined;
  private readonly waiting = new Map<string, Set<(claim: Claim) => void>>();

  constructor(
    private readonly store: SharedSlots,
    private readonly idleMs = SLOT_IDLE_MS,
  ) {}

  /** A slot at once: one kept here, else one the store can tell is free without waiting; else undefined. */
  tryAcquire(name: string, limit: number): GiveBack | undefined {
    if (!Number.isFinite(limit)) return async () => undefined;
    const claim = this.claimNow(name, limit);
    return claim ? this.lend(name, claim) : undefined;
  }

  /**
   * As `tryAcquire`, for a caller that gives the slot back itself (`giveBackNow`), once: a boot
   * slot is taken per VM, and a give-back function (and its promise) per slot was garbage.
   */
  claimNow(name: string, limit: number): Claim | undefined {
    if (!Number.isFinite(limit)) return UNLIMITED;
    const kept = this.idle.get(name)?.pop();
    if (kept) {
      this.idleCount--;
      kept.idleSince = undefined;
      return kept;
    }
    const free = this.store.tryAcquire?.(name, limit);
    return free ? { giveBack: free } : undefined;
  }

  /** Gives back a slot `claimNow` took: the next request here gets it, else it idles. */
  giveBackNow(name: string, claim: Claim): void {
    if (claim !== UNLIMITED) this.release(name, claim);
  }

  async acquire(name: string, limit: number, signal?: AbortSignal): Promise<GiveBack> {
    // A kept slot, or a store that can tell at once whether one is free, spares the waiting path below.
    const now = this.tryAcquire(name, limit);
    if (now) return now;
    // Ask the store, but take a slot released here meanwhile if that comes first.
    const asking = new AbortController();
    // One listener on the run's signal for every request waiting under it (see onAbort).
    const forget = signal ? onAbort(signal, () => asking.abort(signal.reason)) : () => undefined;
    const waiters = this.waitersOf(name);
    let settled = false;
    let handed: Claim | undefined;
    let takeHanded: (claim: Claim) => void = () => undefined;
    const fromHere = new Promise<{ claim: Claim; here: true }>((resolve) => {
      takeHanded = (claim) => resolve({ claim, here: true });
    });
    const offer = (claim: Claim): void => {
      if (settled) return this.release(name, claim);
      handed = claim;
      takeHanded(claim);
    };
    waiters.add(offer);
    const fromStore = this.store
      .acquire(name, limit, asking.signal)
      .then((giveBack) => ({ claim: { giveBack }, here: false as const }));
    try {
      const won = await Promise.race([fromHere, fromStore]);
      settled = true;
      waiters.delete(offer);
      if (won.here) {
        asking.abort();
        // A slot the store granted just as ours came is kept for the next request here.
        fromStore.then(({ claim }) => this.release(name, claim)).catch(() => undefined);
      } else if (handed) {
        // Both came at once: the one handed over here goes on to the next request.
        this.release(name, handed);
      }
      return this.lend(name, won.claim);
    } catch (error) {
      settled = true;
      waiters.delete(offer);
      if (handed) this.release(name, handed);
      throw error;
    } finally {
      forget();
    }
  }

  private waitersOf(name: string): Set<(claim: Claim) => void> {
    let waiters = this.waiting.get(name);
    if (!waiters) {
      waiters = new Set();
      this.waiting.set(name, waiters);
    }
    return waiters;
  }

  /** A give-back function for a slot `claimNow` took, for a caller that holds it as one. */
  lendClaim(name: string, claim: Claim): GiveBack {
    return claim === UNLIMITED ? async () => undefined : this.lend(name, claim);
  }

  private lend(name: string, claim: Claim): GiveBack {
    let returned = false;
    return async () => {
      if (returned) return;
      returned = true;
      this.release(name, claim);
    };
  }

  /** A request here is done with the slot: the next request here gets it, else it idles. */
  private release(name: string, claim: Claim): void {
    const waiters = this.waiting.get(name);
    const next = waiters?.values().next();
    if (waiters && next && !next.done) {
      waiters.delete(next.value);
      next.value(claim);
      return;
    }
    let idle = this.idle.get(name);
    if (!idle) {
      idle = [];
      this.idle.set(name, idle);
    }
    claim.idleSince = performance.now();
    idle.push(claim);
    this.idleCount++;
    if (!this.sweeper) {
      this.sweeper = setInterval(() => this.giveBackIdle(), Math.max(1, this.idleMs / 2));
      this.sweeper.unref();
    }
  }

  /**
   * Gives back every claim no request uses now (the engine is closing): a process that exits
   * right after its run leaves none of them to be found stale. Claims in use go back as usual.
   */
  async close(): Promise<void> {
    this.giveBackIdle(Number.POSITIVE_INFINITY);
  }

  /** Gives back to the store every claim idle for `idleMs` or longer (each idles at most 1.5 × idleMs). */
  private giveBackIdle(now = performance.now()): void {
    for (const [name, list] of this.idle) {
      let expired = 0;
      while (expired < list.length && now - list[expired]!.idleSince! >= this.idleMs) expired++;
      for (const claim of list.splice(0, expired)) void claim.giveBack().catch(() => undefined);
      this.idleCount -= expired;
      if (list.length === 0) this.idle.delete(name);
    }
    if (this.idleCount === 0) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }
}
