import { afterEach, describe, expect, it } from '@jest/globals';
import { PROTECTED, RECOVERY, RECOVERY_HOSTS, command, startLab, type Lab } from './simulator-env.js';

let lab: Lab | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

const DEVICES = ['ds-app', 'ds-active', 'ds-sync'];

describe('a command reads the arrays once, whatever its number of devices (DSM request tally)', () => {
  it('test failover of three devices: one list per object type, no per-device reads', async () => {
    lab = await startLab();
    const { requests } = lab.sim;
    await lab.run(lab.adapter.syncOnce(command(PROTECTED, DEVICES, { workflow: 'test' })));
    requests.reset();
    const start = await lab.run(
      lab.adapter.testFailoverStart(command(RECOVERY, DEVICES, { workflow: 'test', hosts: RECOVERY_HOSTS })),
    );
    expect(start.devices.map((d) => d.status)).toEqual(['success', 'success', 'success']);
    const list = (type: string) => requests.count({ method: 'POST', pattern: `StorageCenter/${type}/GetList` });
    expect(list('ScVolume')).toBe(1);
    expect(list('ScReplay')).toBe(1);
    expect(list('ScServer')).toBe(1);
    expect(list('ScMappingProfile')).toBe(1);
    expect(requests.count({ pattern: 'StorageCenter/ScVolume/{id}/ReplayList' })).toBe(0);
    expect(requests.count({ pattern: 'StorageCenter/ScVolume/{id}/MappingProfileList' })).toBe(0);
    // Per device: a replay, a view and a mapping per host; everything else is shared.
    expect(requests.count({ kind: 'change' })).toBe(DEVICES.length * (2 + RECOVERY_HOSTS.length));
    const reads = requests.count({ kind: 'read' }) + requests.count({ kind: 'list' });
    expect(reads).toBeLessThanOrEqual(7); // topology (3) + volumes, replays, servers, mappings
  });

  it('syncs of three devices share each progress reading and read no replay list per device', async () => {
    lab = await startLab();
    const { requests } = lab.sim;
    const sync = await lab.run(lab.adapter.syncOnce(command(PROTECTED, DEVICES, { workflow: 'test' })));
    expect(sync.devices.map((d) => d.status)).toEqual(['success', 'success', 'success']);
    expect(requests.count({ pattern: 'StorageCenter/ScReplication/{id}/CurrentProgress' })).toBe(0);
    expect(requests.count({ pattern: 'StorageCenter/ScVolume/{id}/ReplayList' })).toBe(0);
    const rounds = requests.count({ method: 'POST', pattern: 'StorageCenter/ScReplicationProgress/GetList' });
    expect(rounds).toBeGreaterThan(0);
    expect(requests.count({ pattern: 'StorageCenter/ScVolume/{id}/CreateReplay' })).toBe(DEVICES.length);
    // The devices' syncs run side by side: one reading per round serves all three, so three
    // devices need about the readings of one device alone.
    requests.reset();
    await lab.run(
      lab.adapter.syncOnce(command(PROTECTED, ['ds-app'], { workflow: 'test' }, { idempotencyKey: 'one' })),
    );
    const alone = requests.count({ pattern: 'StorageCenter/ScReplication/{id}/CurrentProgress' });
    expect(alone).toBeGreaterThan(2);
    expect(rounds).toBeLessThanOrEqual(alone + 2);
  });
});
