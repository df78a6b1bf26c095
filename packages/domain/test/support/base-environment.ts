import type { EnvironmentInput } from '../../src/index.js';

/** The fields a test may change on the base environment without checking they are there. */
export type BaseEnvironment = EnvironmentInput &
  Required<Pick<EnvironmentInput, 'sites' | 'arrays' | 'volumes' | 'vms' | 'plans'>>;

/**
 * A small valid environment as a user would write it: two sites, one array pair, one replicated
 * datastore, three VMs, one plan s1 → s2 protecting them (db at priority 1, app at 2, web by
 * default). Each call builds a fresh copy that a test may change.
 */
export function baseEnvironment(): BaseEnvironment {
  return {
    name: 'lab',
    sites: [
      {
        name: 's1',
        vcenter: 'vc1',
        placeholderDatastore: 'ph1',
        clusters: [{ name: 'c1', hosts: [{ name: 'h11' }, { name: 'h12' }] }],
      },
      {
        name: 's2',
        vcenter: 'vc2',
        placeholderDatastore: 'ph2',
        clusters: [{ name: 'c2', hosts: [{ name: 'h21' }, { name: 'h22' }] }],
      },
    ],
    arrayManagers: [{ name: 'dsm', site: 's2', adapter: 'simulated' }],
    arrays: [
      { id: 'sc12', site: 's1', arrayManager: 'dsm' },
      { id: 'sc13', site: 's2', arrayManager: 'dsm' },
    ],
    arrayPairs: [{ name: 'pair', arrays: ['sc12', 'sc13'] }],
    volumes: [{ id: 'v1', sourceArray: 'sc12', targetArray: 'sc13' }],
    datastores: [{ name: 'ds1', site: 's1', devices: ['v1'] }],
    vms: [
      { name: 'db', site: 's1', cluster: 'c1', host: 'h11', datastores: ['ds1'] },
      { name: 'app', site: 's1', cluster: 'c1', host: 'h12', datastores: ['ds1'] },
      { name: 'web', site: 's1', cluster: 'c1', host: 'h12', datastores: ['ds1'] },
    ],
    protectionGroups: [{ name: 'pg', type: 'array', arrayPair: 'pair', datastores: ['ds1'] }],
    plans: [
      {
        name: 'p',
        protectedSite: 's1',
        recoverySite: 's2',
        protectionGroups: ['pg'],
        vms: [
          { vm: 'db', priority: 1 },
          { vm: 'app', priority: 2 },
        ],
      },
    ],
  };
}
