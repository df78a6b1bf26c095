/**
 * Limits counted across every engine (and every process) acting on the same arrays and vCenters:
 * a counting semaphore per name (`storage-commands`, `boot-host/<host>`…). A slot is held by a
 * live holder only: one whose process died or stopped renewing it (a lease) frees it, so a
 * crashed engine never keeps the others waiting for ever. Within one engine the engine's own
 * pools still queue work; this port only adds the count of the other engines.
 */
export interface SharedSlots {
  /**
   * Waits until fewer than `limit` slots of `name` are held, takes one and resolves with the
   * function that gives it back (idempotent). An Infinity limit takes nothing. Aborting `signal`
   * while waiting withdraws the request: the promise rejects with the signal's reason.
   */
  acquire(name: string, limit: number, signal?: AbortSignal): Promise<() => Promise<void>>;
  /**
   * Takes a slot of `name` at once if fewer than `limit` are held, else returns undefined without
   * waiting. Optional: a store that can tell in a local system call (the state folder's lock
   * files) offers it, so an engine taking a slot per VM skips the waiting path when one is free.
   */
  tryAcquire?(name: string, limit: number): (() => Promise<void>) | undefined;
}
