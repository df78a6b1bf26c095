import { afterEach, describe, expect, it } from '@jest/globals';
import type { Environment } from '@drctl/domain';
import type { StorageChoice } from '../../src/index.js';
import { Lab, PLAN_1, deviceLines, run, withoutCommandCallouts } from './support.js';

const lab = new Lab();
afterEach(() => lab.release());

/** Plan 1's collaboration group lives on the Live Volume srmlv1; its ERP group on srmds1/srmds2. */
const COLLAB_VMS = ['exch01', 'exch02', 'sp-sql01', 'sp01'];

/**
 * Issue 10 §7, guide §5.4: a Live Volume with a managed replication, or in a consistency group,
 * cannot be protected by SRM. Both storages a rehearsal can use — the SC Series adapter over HTTPS
 * to the DSM simulator, and the in-process simulator — refuse srmlv1 with the reason, so the
 * rehearsal shows what the real arrays would do; the rest of the plan recovers (§3 of the issue).
 */
const STORAGES: Array<{ storage: StorageChoice; prefix: string }> = [
  { storage: 'sc-series', prefix: 'SC' },
  { storage: 'simulated', prefix: 'SIM' },
];

const CASES: Array<{ name: string; edit: (env: Environment) => void; code: string; reason: RegExp }> = [
  {
    name: 'a managed replication',
    edit: (env) => {
      env.volumes.find((v) => v.id === 'srmlv1')!.liveVolume!.managedReplication = true;
    },
    code: 'LV_MANAGED_REPLICATION',
    reason: /manages a replication to a third Storage Center.*Activate Disaster Recovery/,
  },
  {
    name: 'uniform mapping',
    edit: (env) => {
      env.volumes.find((v) => v.id === 'srmlv1')!.liveVolume!.uniformMapping = true;
    },
    code: 'LV_UNIFORM_MAPPING',
    reason: /uniform storage mapping/,
  },
  {
    name: 'a consistency group',
    edit: (env) => {
      env.volumes.find((v) => v.id === 'srmlv1')!.consistencyGroup = 'cg-collab';
    },
    code: 'LV_CONSISTENCY_GROUP',
    reason: /consistency group cg-collab/,
  },
];

describe('Live Volume restrictions through the engine (§3.3, §5.4)', () => {
  for (const { storage, prefix } of STORAGES)
    for (const c of CASES)
      it(`${storage}: a Live Volume with ${c.name} is refused in a test and a disaster recovery; the ERP group recovers`, async () => {
        const environmentPath = lab.techsolVariant((env) => {
          withoutCommandCallouts(env);
          c.edit(env);
        });
        const ws = await lab.workspace({ environmentPath, stateDir: lab.tempDir(), storage });

        const test = await run(ws, { plan: PLAN_1, workflow: 'test' });
        expect(test.result).toBe('errors');
        const synced = deviceLines(test, 'sync-storage');
        expect({ device: 'srmlv1', code: synced['srmlv1']!.code }).toEqual({
          device: 'srmlv1',
          code: `${prefix}_${c.code}`,
        });
        expect(synced['srmlv1']!.description).toMatch(c.reason);
        expect(synced['srmds1']!.status).not.toBe('error');
        await run(ws, { plan: PLAN_1, workflow: 'cleanup' });

        const recovery = await run(ws, { plan: PLAN_1, workflow: 'disaster-recovery' });
        expect(recovery.result).toBe('errors');
        const promoted = deviceLines(recovery, 'promote-recovery-storage');
        expect(promoted['srmlv1']!.code).toBe(`${prefix}_${c.code}`);
        expect(promoted['srmds1']!.status).not.toBe('error');
        for (const vm of recovery.vms.filter((v) => COLLAB_VMS.includes(v.name))) expect(vm.status).toBe('error');
        const erp = recovery.vms.filter((v) => !COLLAB_VMS.includes(v.name) && v.status !== 'skipped');
        expect(erp.length).toBeGreaterThan(0);
        for (const vm of erp)
          expect([vm.name, vm.status]).toEqual([vm.name, expect.stringMatching(/recovered|warning/)]);
      });
});
