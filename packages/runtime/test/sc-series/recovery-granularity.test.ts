import { afterEach, describe, expect, it } from '@jest/globals';
import { Lab, PLAN_1, deviceLines, run, stepStatuses, withoutCommandCallouts } from './support.js';

const lab = new Lab();
afterEach(() => lab.release());

/** Plan 1's collaboration group lives on the Live Volume srmlv1; its ERP group on srmds1/srmds2. */
const COLLAB_VMS = ['exch01', 'exch02', 'sp-sql01', 'sp01'];

describe('disaster recovery over HTTPS: one failed device does not stop the other protection groups', () => {
  it("the Live Volume's role swap fails on DSM: its group's VMs fail with the array's reason, the ERP group recovers", async () => {
    const ws = await lab.workspace({
      environmentPath: lab.techsolVariant(withoutCommandCallouts),
      stateDir: lab.tempDir(),
      inject: ['dsm:{"kind":"server-error","path":"*/SwapRoles","message":"Live Volume role swap refused"}'],
    });
    const report = await run(ws, { plan: PLAN_1, workflow: 'disaster-recovery' });

    expect(report.result).toBe('errors');
    expect(Object.fromEntries(stepStatuses(report))).toMatchObject({
      'promote-recovery-storage': 'error',
      'mount-datastores': 'error',
    });
    const promoted = deviceLines(report, 'promote-recovery-storage');
    expect(promoted['srmlv1']!.status).toBe('error');
    expect(promoted['srmds1']!.status).not.toBe('error');
    expect(promoted['srmds2']!.status).not.toBe('error');

    const collab = report.vms.filter((v) => COLLAB_VMS.includes(v.name));
    expect(collab.map((v) => v.name).sort()).toEqual([...COLLAB_VMS].sort());
    for (const vm of collab) {
      expect(vm.status).toBe('error');
      expect(vm.message).toMatch(/^not registered: datastore srmlv1 device srmlv1 was not failed over/);
    }
    const others = report.vms.filter((v) => !COLLAB_VMS.includes(v.name) && v.status !== 'skipped');
    expect(others.length).toBeGreaterThan(0);
    for (const vm of others)
      expect([vm.name, vm.status]).toEqual([vm.name, expect.stringMatching(/recovered|warning/)]);
    expect(report.failedProtectionGroups).toEqual([
      { name: 'pg-vcsite1-collab', vms: COLLAB_VMS.length, failedVms: expect.arrayContaining(COLLAB_VMS) },
    ]);
  });
});
