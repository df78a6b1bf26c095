import { describe, expect, it } from '@jest/globals';
import { DrError, selectableSnapshotOf, validateEnvironment, type EnvironmentInput } from '../src/index.js';

/**
 * SRM selectable snapshot is one DSM-wide setting of the Data Collector (guide §5.8): two plans
 * on the same Data Collector cannot disagree, and the old per-plan `snapshotMode` is moved onto
 * the array managers or refused with the field to change.
 */
function twoPlansOneCollector(): EnvironmentInput & {
  arrayManagers: NonNullable<EnvironmentInput['arrayManagers']>;
  plans: NonNullable<EnvironmentInput['plans']>;
} {
  const site = (name: string, host: string) => ({
    name,
    vcenter: `vc-${name}`,
    clusters: [{ name: `cl-${name}`, hosts: [{ name: host }] }],
  });
  const connection = { host: 'dsm1.lab', username: 'srm', passwordEnv: 'PW' };
  return {
    name: 'lab',
    sites: [site('s1', 'h1'), site('s2', 'h2')],
    arrayManagers: [
      { name: 'am-s1', site: 's1', adapter: 'sc-series', connection },
      { name: 'am-s2', site: 's2', adapter: 'sc-series', connection },
    ],
    arrays: [
      { id: 'sc12', site: 's1', serial: 12, arrayManager: 'am-s1' },
      { id: 'sc13', site: 's2', serial: 13, arrayManager: 'am-s2' },
    ],
    arrayPairs: [{ name: 'pair', arrays: ['sc12', 'sc13'] }],
    volumes: [
      { id: 'v1', sourceArray: 'sc12', targetArray: 'sc13' },
      { id: 'v2', sourceArray: 'sc13', targetArray: 'sc12' },
    ],
    datastores: [
      { name: 'ds1', site: 's1', devices: ['v1'] },
      { name: 'ds2', site: 's2', devices: ['v2'] },
    ],
    vms: [
      { name: 'a', site: 's1', cluster: 'cl-s1', host: 'h1', datastores: ['ds1'] },
      { name: 'b', site: 's2', cluster: 'cl-s2', host: 'h2', datastores: ['ds2'] },
    ],
    protectionGroups: [
      { name: 'pg1', type: 'array', arrayPair: 'pair', datastores: ['ds1'] },
      { name: 'pg2', type: 'array', arrayPair: 'pair', datastores: ['ds2'] },
    ],
    plans: [
      { name: 'p1', protectedSite: 's1', recoverySite: 's2', protectionGroups: ['pg1'] },
      { name: 'p2', protectedSite: 's2', recoverySite: 's1', protectionGroups: ['pg2'] },
    ],
  };
}

function issuesOf(input: unknown): Array<{ path: string; message: string }> {
  try {
    validateEnvironment(input);
  } catch (error) {
    expect(error).toBeInstanceOf(DrError);
    return (error as DrError).issues;
  }
  throw new Error('expected the environment to be refused');
}

describe('SRM selectable snapshot is a Data Collector setting (§5.8)', () => {
  it('applies the Data Collector’s value to every array it manages, DSM’s default when unset', () => {
    const env = twoPlansOneCollector();
    expect(selectableSnapshotOf(validateEnvironment(env), 'sc13')).toBe('always-active');
    env.arrayManagers[0]!.selectableSnapshot = 'always-last-frozen';
    const valid = validateEnvironment(env);
    // One manager set it: its partner on the same Data Collector reads the same value.
    expect(selectableSnapshotOf(valid, 'sc12')).toBe('always-last-frozen');
    expect(selectableSnapshotOf(valid, 'sc13')).toBe('always-last-frozen');
  });

  it('refuses two managers of one Data Collector that disagree, naming the field', () => {
    const env = twoPlansOneCollector();
    env.arrayManagers[0]!.selectableSnapshot = 'always-last-frozen';
    env.arrayManagers[1]!.selectableSnapshot = 'always-active';
    const issues = issuesOf(env);
    expect(issues).toEqual([
      {
        path: 'arrayManagers[1].selectableSnapshot',
        message: expect.stringMatching(/shares a DSM Data Collector.*arrayManagers\[0\]\.selectableSnapshot.*§5\.8/),
      },
    ]);
  });

  it('treats a Data Collector and its Remote Data Collector (managers of one array pair) as one DSM', () => {
    const env = twoPlansOneCollector();
    env.arrayManagers[1]!.connection = {
      host: 'dsm2.lab',
      username: 'srm',
      passwordEnv: 'PW',
      remoteDataCollector: true,
    };
    env.arrayManagers[0]!.selectableSnapshot = 'always-last-frozen';
    env.arrayManagers[1]!.selectableSnapshot = 'active-if-replicating-active';
    expect(issuesOf(env).map((i) => i.path)).toEqual(['arrayManagers[1].selectableSnapshot']);
  });

  it('lets separate DSM deployments differ', () => {
    const env = twoPlansOneCollector();
    env.arrayManagers[1]!.connection = { host: 'dsm2.lab', username: 'srm', passwordEnv: 'PW' };
    env.arrayPairs = [];
    env.protectionGroups = [];
    env.plans = [];
    env.vms = [];
    env.arrayManagers[0]!.selectableSnapshot = 'always-last-frozen';
    env.arrayManagers[1]!.selectableSnapshot = 'always-active';
    const valid = validateEnvironment(env);
    expect([selectableSnapshotOf(valid, 'sc12'), selectableSnapshotOf(valid, 'sc13')]).toEqual([
      'always-last-frozen',
      'always-active',
    ]);
  });

  it('moves an old per-plan snapshotMode onto the plan’s Data Collector', () => {
    const env = twoPlansOneCollector();
    env.plans[1]!.snapshotMode = 'always-last-frozen';
    const valid = validateEnvironment(env);
    // Plan p1 recovers on the same Data Collector: it gets the same setting, as DSM would apply it.
    expect(valid.arrayManagers.map((m) => m.selectableSnapshot)).toEqual(['always-last-frozen', 'always-last-frozen']);
  });

  it('refuses two plans on the same Data Collector that disagree, naming the plan’s field', () => {
    const env = twoPlansOneCollector();
    env.plans[0]!.snapshotMode = 'always-active';
    env.plans[1]!.snapshotMode = 'active-if-replicating-active';
    const issues = issuesOf(env);
    expect(issues).toEqual([
      {
        path: 'plans[1].snapshotMode',
        message: expect.stringMatching(
          /Plan p2 asks for active-if-replicating-active, but its Data Collector is set to always-active at plans\[0\]\.snapshotMode; .*§5\.8.*remove plans\[1\]\.snapshotMode and set arrayManagers\[\d\]\.selectableSnapshot/,
        ),
      },
    ]);
  });

  it('refuses a plan whose old field contradicts its Data Collector', () => {
    const env = twoPlansOneCollector();
    env.arrayManagers[0]!.selectableSnapshot = 'always-active';
    env.plans[0]!.snapshotMode = 'always-last-frozen';
    expect(issuesOf(env).map((i) => i.path)).toEqual(['plans[0].snapshotMode']);
  });
});
