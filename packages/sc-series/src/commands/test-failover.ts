import type { DeviceCommandRequest } from '@drctl/domain';
import { DeviceFailure, performOnce, type Core, type DeviceOutcome } from '../core.js';
import { chooseSnapshot } from '../snapshot-selection.js';
import { assertProtectable, pairWith } from './locate.js';
import { presentToHosts, unpresent } from './presentation.js';
import { TEST_REPLAY_DESCRIPTION, describeReplay, replayForChoice } from './replays.js';
import type { Topology } from '../topology.js';

/** Name of the view volume a test presents; found again by name by a repeat and by cleanup. */
export function testVolumeName(device: string): string {
  return `drctl-test ${device}`;
}

const SOURCE_LABEL = {
  active: 'active snapshot',
  'last-frozen': 'last frozen snapshot',
  'restore-point': 'restore-point snapshot',
} as const;

/**
 * Test failover on the recovery array: a replay of the destination (or the one SRM selectable
 * snapshot picks), a view volume from it, presented to the recovery hosts. Replication goes on.
 */
export async function testFailoverStartDevice(
  core: Core,
  topology: Topology,
  request: DeviceCommandRequest,
  serial: number,
  device: string,
): Promise<DeviceOutcome> {
  const { signal, context } = request;
  const pair = pairWith(topology, device, serial, 'destination');
  assertProtectable(pair);
  if (!pair.destinationVolume)
    throw new DeviceFailure('SC_DSM_INCOMPLETE', `DSM reports no destination volume for ${device}.`);
  const viewName = testVolumeName(device);
  const existing = (await core.api.volumesNamed(serial, viewName, signal))[0];
  const warnings: string[] = [];
  const details: Record<string, string> = { testVolume: viewName };
  let viewId: string;
  if (existing) {
    warnings.push('A test copy of this device already exists; it is reused and nothing new was created.');
    viewId = existing.id;
  } else {
    const choice = chooseSnapshot({ context, device, replicateActiveSnapshot: pair.replicateActiveSnapshot });
    const replay = await replayForChoice(core, pair.destinationVolume.id, choice, signal);
    details.snapshot = describeReplay(replay);
    details.snapshotSource = SOURCE_LABEL[choice.source];
    details.snapshotReason = choice.reason;
    const { value } = await performOnce(
      async () => (await core.api.volumesNamed(serial, viewName, signal))[0],
      () => core.api.createView(replay.id, viewName, `drctl test copy of ${device}`, signal),
      core.logger,
      `create test view of ${device}`,
    );
    viewId = value.id;
  }
  const presented = await presentToHosts(core, serial, viewId, context.hosts, signal);
  warnings.push(...presented.warnings);
  return { warnings, details, state: 'read-write' };
}

/** Cleanup: unpresent and delete the test view volume, expire the test replay. Replication is untouched. */
export async function testFailoverStopDevice(
  core: Core,
  topology: Topology,
  request: DeviceCommandRequest,
  serial: number,
  device: string,
): Promise<DeviceOutcome> {
  const { signal } = request;
  const viewName = testVolumeName(device);
  const warnings: string[] = [];
  const views = await core.api.volumesNamed(serial, viewName, signal);
  if (views.length === 0) warnings.push('No test copy of this device exists: nothing to discard.');
  for (const view of views) {
    await unpresent(core, serial, view.id, undefined, signal);
    await performOnce(
      async () => ((await core.api.volume(view.id, signal)) ? undefined : true),
      async () => {
        await core.api.deleteVolume(view.id, signal);
        return true;
      },
      core.logger,
      `delete test view ${view.id}`,
    );
  }
  // The replay frozen for the test is the adapter's own: expire it so tests leave nothing behind.
  const pair = topology.find(device).find((p) => p.destinationSerial === serial);
  if (pair?.destinationVolume) {
    for (const replay of await core.api.replays(pair.destinationVolume.id, signal)) {
      if (replay.description === TEST_REPLAY_DESCRIPTION && !replay.markedForExpiration && !replay.active) {
        try {
          await core.api.expireReplay(replay.id, signal);
        } catch (error) {
          if (signal.aborted) throw error;
          warnings.push(
            `The test snapshot ${replay.id} could not be expired (${(error as Error).message}); expire it in DSM.`,
          );
        }
      }
    }
  }
  return { warnings, details: { testVolume: viewName }, state: 'read-only' };
}
