import {
  effectiveCommandTimeoutSeconds,
  liveVolumeBonusApplies,
  planDatastores,
  planDevices,
  type ArrayManager,
  type Environment,
  type RecoveryPlan,
  type SettingOrigin,
  type StorageAdapter,
  type WorkflowName,
} from '@drctl/domain';
import type { Logger } from 'pino';
import type { WorkflowMode } from '../machines/policy.js';
import { errorMessage, withTimeout, type PlanDevice } from './run-context.js';

/** Human label of a run's mode for the report (`planned`, `forced`, `test-no-sync`, …). */
export function modeLabel(workflow: WorkflowName, mode: WorkflowMode): string {
  switch (workflow) {
    case 'test':
      return mode.syncData === false ? 'test-no-sync' : 'test';
    case 'cleanup':
    case 'reprotect':
      return mode.force ? 'forced' : 'normal';
    case 'disaster-recovery':
      return mode.forcedRecovery ? 'forced' : 'disaster';
    default:
      return 'planned';
  }
}

/** The per-site pseudo-array vSphere Replication commands go to. */
export const vrArray = (site: string) => `vr-${site}`;

/** Resolves and caches one storage adapter per array manager. */
export class AdapterRegistry {
  private readonly byManager = new Map<string, StorageAdapter>();

  constructor(
    private readonly env: Environment,
    private readonly factory: (manager: ArrayManager) => StorageAdapter,
  ) {}

  forArray(arrayId: string): StorageAdapter {
    const manager = arrayId.startsWith('vr-') ? this.replicationManager(arrayId.slice(3)) : this.arrayManager(arrayId);
    let adapter = this.byManager.get(manager.name);
    if (!adapter) {
      adapter = this.factory(manager);
      this.byManager.set(manager.name, adapter);
    }
    return adapter;
  }

  private arrayManager(arrayId: string): ArrayManager {
    const array = this.env.arrays.find((a) => a.id === arrayId);
    const manager = this.env.arrayManagers.find(
      (m) => m.name === (array?.arrayManager ?? this.env.arrayManagers[0]?.name),
    );
    if (!manager) throw new Error(`no array manager for array ${arrayId}`);
    return manager;
  }

  /** vSphere Replication: the environment's manager of that kind, else a built-in one for the site. */
  private replicationManager(site: string): ArrayManager {
    return (
      this.env.arrayManagers.find((m) => m.adapter === 'vsphere-replication' && m.site === site) ??
      this.env.arrayManagers.find((m) => m.adapter === 'vsphere-replication') ?? {
        name: 'vsphere-replication',
        site,
        adapter: 'vsphere-replication',
      }
    );
  }

  async close(): Promise<void> {
    await Promise.all([...this.byManager.values()].map(async (a) => a.close?.()));
    this.byManager.clear();
  }
}

/** The plan's devices with the arrays on each side in the plan's current direction. */
export function planDeviceMap(
  env: Environment,
  plan: RecoveryPlan,
  protectedSite: string,
  recoverySite: string,
): PlanDevice[] {
  const siteOfArray = new Map(env.arrays.map((a) => [a.id, a.site] as const));
  const datastores = env.datastores;
  const arrays = planDevices(env, plan).map((id) => {
    const volume = env.volumes.find((v) => v.id === id)!;
    const pair = [volume.sourceArray, volume.targetArray];
    const protectedArray = pair.find((a) => siteOfArray.get(a) === protectedSite) ?? volume.sourceArray;
    const recoveryArray = pair.find((a) => siteOfArray.get(a) === recoverySite) ?? volume.targetArray;
    return {
      id,
      replication: 'array' as const,
      datastores: datastores.filter((d) => d.devices.includes(id)).map((d) => d.name),
      protectedArray,
      recoveryArray,
      liveVolume: volume.liveVolume !== undefined,
    };
  });
  // vSphere Replication protects VMs one by one: each VM is a device of the site's replication.
  const replicated = plan.protectionGroups.flatMap((name) => {
    const group = env.protectionGroups.find((g) => g.name === name);
    return group?.type === 'vsphere-replication' ? group.vms : [];
  });
  return [
    ...arrays,
    ...replicated.map((vm) => ({
      id: vm,
      replication: 'vsphere-replication' as const,
      datastores: [],
      protectedArray: vrArray(protectedSite),
      recoveryArray: vrArray(recoverySite),
      liveVolume: false,
    })),
  ];
}

export function planDatastoreList(env: Environment, plan: RecoveryPlan): Array<{ name: string; devices: string[] }> {
  return planDatastores(env, plan).map((name) => ({
    name,
    devices: env.datastores.find((d) => d.name === name)?.devices ?? [],
  }));
}

/**
 * Devices are discovered from the adapters, not trusted from the file: asks each recovery-site
 * array for its replicated devices and reconciles the plan's list with what the arrays report
 * (Live Volume flags included, which set the command timeout). A discovery that fails leaves the
 * file's view in place, with a message saying so.
 */
export async function discoverDevices(
  devices: PlanDevice[],
  adapters: AdapterRegistry,
  timeoutSeconds: number,
  clock: import('@drctl/domain').Clock,
  logger: Logger,
): Promise<string[]> {
  const messages: string[] = [];
  const arrays = new Map<string, string>();
  for (const d of devices) arrays.set(d.recoveryArray, d.protectedArray);
  for (const [arrayId, peerArrayId] of arrays) {
    const bounded = withTimeout(
      clock,
      new AbortController().signal,
      timeoutSeconds,
      () => new Error(`discoverDevices on ${arrayId} timed out after ${timeoutSeconds} s`),
    );
    try {
      const found = await adapters.forArray(arrayId).discoverDevices({ arrayId, peerArrayId, signal: bounded.signal });
      const byId = new Map(found.map((f) => [f.id, f] as const));
      for (const d of devices.filter((x) => x.recoveryArray === arrayId)) {
        const seen = byId.get(d.id);
        if (!seen) messages.push(`device ${d.id} was not discovered on array ${arrayId}`);
        else d.liveVolume = seen.liveVolume !== undefined;
      }
    } catch (error) {
      logger.warn({ err: error, arrayId }, 'device discovery failed');
      messages.push(
        `device discovery on array ${arrayId} failed (${errorMessage(error)}); using the environment's device list`,
      );
    } finally {
      bounded.clear();
    }
  }
  return messages;
}

export function commandTimeout(
  settings: Parameters<typeof effectiveCommandTimeoutSeconds>[0],
  liveVolumes: number,
  origin?: SettingOrigin,
): { seconds: number; explanation: string } {
  const seconds = effectiveCommandTimeoutSeconds(settings, liveVolumes, origin);
  const base = settings['storage.commandTimeout'];
  const explanation =
    base === 0
      ? 'storage.commandTimeout 0 = no limit'
      : liveVolumeBonusApplies(origin)
        ? `storage.commandTimeout ${base} s + 90 s × ${liveVolumes} Live Volume(s)`
        : `storage.commandTimeout ${base} s from vmware-dr.xml, which already counts 90 s per Live Volume (§4.7)`;
  return { seconds, explanation };
}
