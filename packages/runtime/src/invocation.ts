import { DrError, type DocumentStore } from '@drctl/domain';
import { runInvocation } from '@drctl/workflows';

/**
 * How a run was started — simulation, storage kind, seed, settings, faults — saved with the run
 * before it starts (the engine writes it into the run's meta), so `resume` and `cancel` rebuild the
 * same world and settings. Crash rehearsals (`crash-after:`) are left out: a resumed run must not
 * die again.
 */
export interface RunInvocation {
  simulate: boolean;
  storage?: string;
  seed?: number;
  set: string[];
  inject: string[];
  vmwareDrXml?: string;
}

/** The invocation options a caller may give; each is compared with the saved one when given. */
export interface RequestedInvocation {
  simulate?: boolean;
  storage?: string;
  seed?: number;
  set?: string[];
  inject?: string[];
  vmwareDrXml?: string;
}

export const isCrashRehearsal = (fault: string): boolean => fault.startsWith('crash-after:');

/** The invocation a workspace's options describe (what the engine saves with each run). */
export function invocationOf(options: RequestedInvocation): RunInvocation {
  return {
    simulate: options.simulate ?? true,
    ...(options.storage !== undefined ? { storage: options.storage } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    set: [...(options.set ?? [])],
    inject: (options.inject ?? []).filter((f) => !isCrashRehearsal(f)),
    ...(options.vmwareDrXml !== undefined ? { vmwareDrXml: options.vmwareDrXml } : {}),
  };
}

/** The options a run was started with, from its meta (undefined for a run that saved none). */
export async function loadRunInvocation(store: DocumentStore, runId: string): Promise<RunInvocation | undefined> {
  const found = await runInvocation(store, runId);
  const saved = found?.invocation;
  if (saved && typeof saved === 'object' && Array.isArray(saved['set']) && Array.isArray(saved['inject']))
    return saved as unknown as RunInvocation;
  // Runs started by drctl before the invocation moved into the run's meta.
  return store.read<RunInvocation>(`cli/invocations/${runId}`);
}

const FLAG_OF: Record<keyof RunInvocation, string> = {
  simulate: '--simulate',
  storage: '--storage',
  seed: '--seed',
  set: '--set',
  inject: '--inject',
  vmwareDrXml: '--vmware-dr-xml',
};

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * Refuses options that differ from the ones the run was started with: a resumed or cancelled
 * run acts on the world it started on, never another (DR_INPUT_INVALID naming each flag).
 */
export function checkSameInvocation(runId: string, saved: RunInvocation, requested: RequestedInvocation): void {
  const differing: Array<keyof RunInvocation> = [];
  const given = (key: keyof RunInvocation) => requested[key] !== undefined;
  if (given('simulate') && requested.simulate !== saved.simulate) differing.push('simulate');
  for (const key of ['storage', 'seed', 'vmwareDrXml'] as const) {
    if (given(key) && !same(requested[key], saved[key])) differing.push(key);
  }
  if (requested.set && requested.set.length > 0 && !same(requested.set, saved.set)) differing.push('set');
  const faults = (requested.inject ?? []).filter((f) => !isCrashRehearsal(f));
  if (faults.length > 0 && !same(faults, saved.inject)) differing.push('inject');
  if (differing.length === 0) return;
  const flags = differing.map((k) => FLAG_OF[k]);
  throw new DrError(
    'DR_INPUT_INVALID',
    `Run ${runId} keeps the options it was started with; drop ${flags.join(', ')} (resume and cancel never change them).`,
    {
      issues: differing.map((k) => ({
        path: FLAG_OF[k],
        message: `the run was started with ${describe(saved[k])}`,
      })),
    },
  );
}

function describe(value: unknown): string {
  if (value === undefined || (Array.isArray(value) && value.length === 0)) return 'none';
  return Array.isArray(value) ? value.join(' ') : String(value);
}
