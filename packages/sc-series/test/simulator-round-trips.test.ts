import { afterEach, describe, expect, it } from '@jest/globals';
import {
  PROTECTED,
  RECOVERY,
  RECOVERY_HOSTS,
  command,
  pollSyncToCompletion,
  startLab,
  type Lab,
} from './simulator-env.js';

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

  it('a sync of three devices takes every replay first, then one progress reading for all three', async () => {
    lab = await startLab();
    const { requests } = lab.sim;
    const sync = await lab.run(lab.adapter.syncOnce(command(PROTECTED, DEVICES, { workflow: 'test' })));
    expect(sync.devices.map((d) => d.status)).toEqual(['success', 'success', 'success']);
    expect(sync.devices.every((d) => d.details?.['syncStartedAtPercent'] !== undefined)).toBe(true);
    expect(requests.count({ pattern: 'StorageCenter/ScVolume/{id}/CreateReplay' })).toBe(DEVICES.length);
    expect(requests.count({ method: 'POST', pattern: 'StorageCenter/ScReplicationProgress/GetList' })).toBe(1);
    expect(requests.count({ pattern: 'StorageCenter/ScReplication/{id}/CurrentProgress' })).toBe(0);
  });

  it('syncs of three devices share each progress reading and read no replay list per device', async () => {
    lab = await startLab();
    const { requests } = lab.sim;
    const progressLists = () =>
      requests.count({ method: 'POST', pattern: 'StorageCenter/ScReplicationProgress/GetList' });
    const perDeviceReadings = () => requests.count({ pattern: 'StorageCenter/ScReplication/{id}/CurrentProgress' });
    const request = command(PROTECTED, DEVICES, { workflow: 'test' });
    const sync = await lab.run(lab.adapter.syncOnce(request));
    expect(sync.devices.map((d) => d.status)).toEqual(['success', 'success', 'success']);
    expect(perDeviceReadings()).toBe(0);
    expect(requests.count({ pattern: 'StorageCenter/ScVolume/{id}/ReplayList' })).toBe(0);
    expect(progressLists()).toBeGreaterThan(0);
    expect(requests.count({ pattern: 'StorageCenter/ScVolume/{id}/CreateReplay' })).toBe(DEVICES.length);
    // The engine then polls querySyncStatus of the three devices: each poll (round) takes one list
    // of the Storage Center's replications that serves all three, never a reading per device.
    const rounds: Array<{ lists: number; perDevice: number }> = [];
    const { status, polls } = await pollSyncToCompletion(lab, request, {
      beforePoll: () => requests.reset(),
      afterPoll: () => rounds.push({ lists: progressLists(), perDevice: perDeviceReadings() }),
    });
    expect(status.progress.every((p) => p.status === 'complete')).toBe(true);
    expect(polls).toBeGreaterThan(2);
    expect(rounds).toEqual(Array.from({ length: polls }, () => ({ lists: 1, perDevice: 0 })));
    // One device alone reads its own replication once per poll: three devices cost about what one does.
    const alone: number[] = [];
    const one = command(PROTECTED, ['ds-app'], { workflow: 'test' }, { idempotencyKey: 'one' });
    await lab.run(lab.adapter.syncOnce(one));
    const single = await pollSyncToCompletion(lab, one, {
      beforePoll: () => requests.reset(),
      afterPoll: () => alone.push(perDeviceReadings() + progressLists()),
    });
    expect(single.polls).toBeGreaterThan(2);
    expect(alone).toEqual(Array.from({ length: single.polls }, () => 1));
    expect(polls).toBeLessThanOrEqual(single.polls + 2);
  });
});
