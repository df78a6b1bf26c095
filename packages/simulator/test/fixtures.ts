import {
  VirtualClock,
  validateEnvironment,
  type CommandContext,
  type DeviceCommandRequest,
  type Environment,
} from '@drctl/domain';
import { SimulatedWorld, type Fault } from '../src/index.js';

/**
 * Two sites, an array each, three replicated volumes (vol-lv a Live Volume), three datastores
 * (ds-app backed by two volumes), four protected VMs and one at the recovery site.
 */
export function smallEnvironment(): Environment {
  return validateEnvironment({
    name: 'small',
    seed: 7,
    sites: [
      {
        name: 'prod',
        vcenter: 'vc-prod',
        clusters: [{ name: 'c-prod', hosts: [{ name: 'esx-p1' }, { name: 'esx-p2' }] }],
        networks: { production: ['vm-net'], test: ['test-net'] },
      },
      {
        name: 'dr',
        vcenter: 'vc-dr',
        clusters: [{ name: 'c-dr', hosts: [{ name: 'esx-d1' }, { name: 'esx-d2' }] }],
        networks: { production: ['vm-net'], test: ['test-net'] },
      },
    ],
    arrayManagers: [
      { name: 'am-prod', site: 'prod', adapter: 'simulated' },
      { name: 'am-dr', site: 'dr', adapter: 'simulated' },
    ],
    arrays: [
      { id: 'sc-prod', site: 'prod', arrayManager: 'am-prod', serial: 1 },
      { id: 'sc-dr', site: 'dr', arrayManager: 'am-dr', serial: 2 },
    ],
    arrayPairs: [{ name: 'pair', arrays: ['sc-prod', 'sc-dr'] }],
    volumes: [
      {
        id: 'vol-db',
        sourceArray: 'sc-prod',
        targetArray: 'sc-dr',
        syncSeconds: 40,
        qosProfile: 'gold',
        targetQosProfile: 'silver',
      },
      { id: 'vol-app', sourceArray: 'sc-prod', targetArray: 'sc-dr', syncSeconds: 20, replicateActiveSnapshot: true },
      {
        id: 'vol-lv',
        sourceArray: 'sc-prod',
        targetArray: 'sc-dr',
        replication: 'sync-high-availability',
        liveVolume: {},
      },
    ],
    datastores: [
      { name: 'ds-db', site: 'prod', devices: ['vol-db'] },
      { name: 'ds-app', site: 'prod', devices: ['vol-app', 'vol-lv'] },
    ],
    vms: [
      {
        name: 'db1',
        site: 'prod',
        cluster: 'c-prod',
        host: 'esx-p1',
        datastores: ['ds-db'],
        toolsSeconds: 100,
        shutdownSeconds: 45,
      },
      { name: 'app1', site: 'prod', cluster: 'c-prod', host: 'esx-p2', datastores: ['ds-app'], toolsSeconds: 60 },
      { name: 'app2', site: 'prod', cluster: 'c-prod', host: 'esx-p2', datastores: ['ds-app'], toolsSeconds: 60 },
      { name: 'web1', site: 'prod', cluster: 'c-prod', host: 'esx-p1', datastores: ['ds-app'], poweredOn: false },
    ],
    protectionGroups: [{ name: 'pg', type: 'array', arrayPair: 'pair', datastores: ['ds-db', 'ds-app'] }],
    plans: [
      {
        name: 'plan',
        protectedSite: 'prod',
        recoverySite: 'dr',
        protectionGroups: ['pg'],
        vms: [{ vm: 'app2', priority: 2, recoveryHost: 'esx-d1' }],
      },
    ],
  });
}

export const DEVICES = ['vol-db', 'vol-app', 'vol-lv'];

export function newWorld(options: { faults?: Fault[]; jitter?: number; seed?: number; env?: Environment } = {}) {
  const clock = new VirtualClock();
  const env = options.env ?? smallEnvironment();
  const world = new SimulatedWorld(env, { clock, ...options });
  return { clock, env, world };
}

export const context: CommandContext = { workflow: 'test', plan: 'plan', runId: 'run-1' };

/** A device command request with a fresh signal (or the given one). */
export function request(
  arrayId: string,
  devices: string[],
  key: string,
  signal: AbortSignal = new AbortController().signal,
): DeviceCommandRequest {
  return { arrayId, devices, idempotencyKey: key, context, signal };
}

export const signal = (): AbortSignal => new AbortController().signal;
