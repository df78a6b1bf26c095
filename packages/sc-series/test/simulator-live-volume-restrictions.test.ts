import { afterEach, describe, expect, it } from '@jest/globals';
import { PROTECTED, RECOVERY, RECOVERY_HOSTS, command, startLab, type Lab } from './simulator-env.js';

let lab: Lab | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

const signal = () => new AbortController().signal;

/**
 * Issue 10 §7 / guide §5.4: "not supported in conjunction with SRM: … managed replication,
 * consistency groups …". DSM lets an administrator set both up; the SC Series adapter finds them
 * over the REST API (the Live Volume's `managingReplications`, the primary volume's Consistent
 * replay profile) and refuses the device with the reason, while other devices go on.
 */
describe('Live Volume restrictions over the DSM REST API (§3.3, §5.4)', () => {
  it('a Live Volume that manages a replication to a third Storage Center is refused, and discovery says so', async () => {
    lab = await startLab({
      edit: (env) => {
        env.volumes.find((v) => v.id === 'ds-stretched')!.liveVolume!.managedReplication = true;
      },
    });
    const discovered = await lab.run(lab.adapter.discoverDevices({ arrayId: PROTECTED, signal: signal() }));
    expect(discovered.find((d) => d.id === 'ds-stretched')!.liveVolume).toMatchObject({ managedReplication: true });

    for (const [name, run] of [
      ['syncOnce', () => lab!.adapter.syncOnce(command(PROTECTED, ['ds-stretched', 'ds-app'], { workflow: 'test' }))],
      [
        'testFailoverStart',
        () =>
          lab!.adapter.testFailoverStart(
            command(RECOVERY, ['ds-stretched', 'ds-app'], { workflow: 'test', hosts: RECOVERY_HOSTS }),
          ),
      ],
      [
        'failover',
        () => lab!.adapter.failover(command(RECOVERY, ['ds-stretched', 'ds-app'], { hosts: RECOVERY_HOSTS })),
      ],
    ] as const) {
      const result = await lab.run(run());
      expect({ name, error: result.devices[0]!.error?.code }).toEqual({ name, error: 'SC_LV_MANAGED_REPLICATION' });
      expect(result.devices[0]!.error!.description).toMatch(/Activate Disaster Recovery/);
      expect(result.devices[0]!.error!.fixHint).toMatch(/Activate Disaster Recovery/);
      expect({ name, other: result.devices[1]!.status }).toEqual({ name, other: 'success' });
    }
    // Nothing was changed on the Live Volume: no role swap.
    const lv = [...lab.sim.model.state.liveVolumes.values()][0]!;
    expect(lab.sim.model.state.volumes.get(lv.primaryVolumeId)!.ssn).toBe(64702);
  });

  it('a Live Volume in a consistency group (a Consistent replay profile) is refused with the group named', async () => {
    lab = await startLab({
      edit: (env) => {
        for (const id of ['ds-stretched', 'ds-app'])
          env.volumes.find((v) => v.id === id)!.consistencyGroup = 'cg-mixed';
      },
    });
    const result = await lab.run(
      lab.adapter.testFailoverStart(
        command(RECOVERY, ['ds-stretched', 'ds-sync'], { workflow: 'test', hosts: RECOVERY_HOSTS }),
      ),
    );
    expect(result.devices[0]!.error).toMatchObject({ code: 'SC_LV_CONSISTENCY_GROUP' });
    expect(result.devices[0]!.error!.description).toMatch(/consistency group cg-mixed.*§5\.4/);
    expect(result.devices[1]!.status).toBe('success');
  });

  it('a Live Volume whose secondary copy is mapped to the primary’s hosts (uniform mapping) is refused', async () => {
    lab = await startLab({
      edit: (env) => {
        env.volumes.find((v) => v.id === 'ds-stretched')!.liveVolume!.uniformMapping = true;
      },
    });
    const result = await lab.run(
      lab.adapter.testFailoverStart(
        command(RECOVERY, ['ds-stretched', 'ds-app'], { workflow: 'test', hosts: RECOVERY_HOSTS }),
      ),
    );
    expect(result.devices[0]!.error).toMatchObject({ code: 'SC_LV_UNIFORM_MAPPING' });
    expect(result.devices[1]!.status).toBe('success');
  });

  it('a Live Volume outside any group and without managed replication is still protected', async () => {
    lab = await startLab();
    const result = await lab.run(
      lab.adapter.testFailoverStart(command(RECOVERY, ['ds-stretched'], { workflow: 'test', hosts: RECOVERY_HOSTS })),
    );
    expect(result.devices[0]!.status).toBe('success');
  });
});
