/** One device's reading from `querySyncStatus`. */
export interface SyncReading {
  device: string;
  status: 'complete' | 'in-progress';
  percent: number;
  /** What is left to copy, where the array says (bytes); finer than the percentage. */
  remaining?: number;
}

export interface StalledDevice {
  device: string;
  percent: number;
  /** Seconds since its last progress. */
  stalledSeconds: number;
}

interface Last {
  percent: number;
  remaining: number | undefined;
  /** When it last moved (or was first seen). */
  movedAt: number;
}

/**
 * Watches a started sync (SRA `syncOnce`, then `querySyncStatus` polls) for devices that stopped
 * making progress. A sync may take as long as its data needs; a device fails only when none of
 * its readings moved (less left to copy, or a higher percentage) for `stallSeconds`. 0 = never.
 */
export class SyncProgressWatch {
  private readonly last = new Map<string, Last>();

  constructor(
    private readonly stallSeconds: number,
    startedAt: number,
    devices: readonly string[],
  ) {
    for (const device of devices) this.last.set(device, { percent: 0, remaining: undefined, movedAt: startedAt });
  }

  /** Takes one poll's readings; returns the devices that have now been still for too long. */
  update(readings: readonly SyncReading[], now: number): StalledDevice[] {
    const stalled: StalledDevice[] = [];
    for (const r of readings) {
      const before = this.last.get(r.device) ?? { percent: 0, remaining: undefined, movedAt: now };
      const moved =
        r.status === 'complete' ||
        r.percent > before.percent ||
        (r.remaining !== undefined && (before.remaining === undefined || r.remaining < before.remaining));
      const next: Last = moved
        ? { percent: Math.max(r.percent, before.percent), remaining: r.remaining, movedAt: now }
        : { ...before, remaining: r.remaining ?? before.remaining };
      this.last.set(r.device, next);
      if (r.status === 'complete' || this.stallSeconds <= 0) continue;
      const still = (now - next.movedAt) / 1000;
      if (still >= this.stallSeconds) stalled.push({ device: r.device, percent: r.percent, stalledSeconds: still });
    }
    return stalled;
  }
}
