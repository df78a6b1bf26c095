import type { DeviceCommandRequest } from '@drctl/domain';
import { DeviceFailure, cachedFirst, performOnce, shortTag, type Core, type DeviceOutcome } from '../core.js';
import type { Volume } from '../dsm/objects.js';
import { chooseSnapshot } from '../snapshot-selection.js';
import { assertProtectable, pairWith } from './locate.js';
import { presentToHosts, unpresent } from './presentation.js';
import { describeReplay, isTestReplay, replayForChoice } from './replays.js';
import { commonPointDetail, commonPointReplay, groupOf } from './consistency.js';
import type { Topology } from '../topology.js';

/** Name of the view volume a test presents; found again by name by a repeat and by cleanup. */
export function testVolumeName(device: string): string {
  return `drctl-test ${device}`;
}

/** The tag of a test run: 10 hex characters of its run id. */
export function testRunTag(runId: string): string {
  return shortTag(`test-run ${runId}`);
}

/** Notes of a test's view volume: they carry the test run's tag (`testRunTag`). */
export function testVolumeNotes(device: string, tag: string): string {
  return `drctl test copy of ${device}; test ${tag}`;
}

/** The run tag in a test view's notes; undefined for a view made before run tags. */
export function testTagOfNotes(notes: string): string | undefined {
  return /; test ([0-9a-f]+)$/.exec(notes)?.[1];
}

/** Test views of a device with the run each belongs to (read only when a view exists: rare). */
async function testViews(
  core: Core,
  serial: number,
  name: string,
  signal: AbortSignal,
  fresh = false,
): Promise<Array<{ volume: Volume; tag: string | undefined }>> {
  const views = fresh ? await core.api.volumesNamed(serial, name, signal) : await core.reads.volumesNamed(serial, name);
  return Promise.all(
    views.map(async (volume) => ({ volume, tag: testTagOfNotes(await core.api.volumeNotes(volume.id, signal)) })),
  );
}

const SOURCE_LABEL = {
  active: 'active snapshot',
  'last-frozen': 'last frozen snapshot',
  'restore-point': 'restore-point snapshot',
} as const;

const earlierTest = (tag: string | undefined) => (tag ? `test ${tag}` : 'a test without a run tag');

/**
 * Test failover on the recovery array: a replay of the destination (or the one SRM selectable
 * snapshot picks), a view volume from it, presented to the recovery hosts. Replication goes on.
 *
 * A test presents the data of its own point in time. The view's notes carry the run's tag, so a
 * repeat of the same test finds and reuses its own copy, while a copy left by an earlier test (a
 * cleanup that could not delete it) is recognised, removed and reported; if it cannot be removed
 * the device fails rather than show the earlier test's data. A test replay with no copy of this
 * test is a leftover too (a cleanup whose expire failed, or an attempt cut off before its view):
 * it is expired and never taken for this test's point in time.
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
  await assertProtectable(core, pair, request.signal);
  if (!pair.destinationVolume)
    throw new DeviceFailure('SC_DSM_INCOMPLETE', `DSM reports no destination volume for ${device}.`);
  const destinationId = pair.destinationVolume.id;
  const tag = testRunTag(context.runId);
  const viewName = testVolumeName(device);
  const views = await testViews(core, serial, viewName, signal);
  const own = views.find((v) => v.tag === tag)?.volume;
  const warnings: string[] = [];
  const details: Record<string, string> = { testVolume: viewName, testRun: tag };
  for (const leftover of views.filter((v) => v.volume !== own)) {
    await removeLeftoverView(core, serial, leftover.volume, leftover.tag, device, signal);
    warnings.push(
      `A test copy left by an earlier test (${earlierTest(leftover.tag)}) was removed: this test presents a new copy of its own point in time.`,
    );
  }
  let viewId: string;
  if (own) {
    warnings.push('This test already made its copy of the device (a repeated command): it is reused.');
    viewId = own.id;
  } else {
    const leftovers = await expireLeftoverReplays(core, destinationId, signal);
    warnings.push(...leftovers.warnings);
    const choice = chooseSnapshot({ context, device, replicateActiveSnapshot: pair.replicateActiveSnapshot });
    // A device of a consistency group is tested from the point common to the group (§5.7).
    const group = choice.source === 'last-frozen' ? groupOf(request, device) : undefined;
    const replay = group
      ? await commonPointReplay(core, topology, serial, group, device)
      : await replayForChoice(core, destinationId, choice, signal, leftovers.ids);
    details.snapshot = describeReplay(replay);
    if (group) details.consistencyGroup = commonPointDetail(group, replay);
    details.snapshotSource = SOURCE_LABEL[choice.source];
    details.snapshotReason = choice.reason;
    const { value } = await performOnce(
      cachedFirst(
        async () => undefined, // the read above found no copy of this test
        async () => (await testViews(core, serial, viewName, signal, true)).find((v) => v.tag === tag)?.volume,
      ),
      () => core.api.createView(replay.id, viewName, testVolumeNotes(device, tag), signal),
      core.logger,
      `create test view of ${device}`,
    );
    viewId = value.id;
  }
  const presented = await presentToHosts(core, serial, viewId, context.hosts, signal);
  warnings.push(...presented.warnings);
  return { warnings, details, state: 'read-write' };
}

/** A leftover test view goes (unpresented, deleted) before this test makes its own, or the device fails. */
async function removeLeftoverView(
  core: Core,
  serial: number,
  view: Volume,
  tag: string | undefined,
  device: string,
  signal: AbortSignal,
): Promise<void> {
  try {
    await unpresent(core, serial, view.id, undefined, signal);
    await deleteView(core, view.id, signal);
  } catch (error) {
    if (signal.aborted) throw error;
    throw new DeviceFailure(
      'SC_TEST_LEFTOVER',
      `A test copy of ${device} left by an earlier test (${earlierTest(tag)}) cannot be removed (${(error as Error).message}); the test does not run on its data.`,
      `Delete the volume "${view.name}" in Dell Storage Manager (or run the cleanup again), then test again.`,
    );
  }
}

async function deleteView(core: Core, id: string, signal: AbortSignal): Promise<void> {
  await performOnce(
    cachedFirst(
      async () => undefined, // listed by this command: it exists
      async () => ((await core.api.volume(id, signal)) ? undefined : true),
    ),
    async () => {
      const deleted = await core.api.deleteVolume(id, signal);
      if (deleted === false) throw new Error(`DSM did not delete volume ${id}`);
      return true;
    },
    core.logger,
    `delete test view ${id}`,
  );
}

/**
 * Test replays on the destination while this test has no copy yet are leftovers: expired and
 * never used. A failure to expire one is a warning only (no view holds it any more, so it
 * reaches no host, and this test freezes its own).
 */
async function expireLeftoverReplays(
  core: Core,
  destinationId: string,
  signal: AbortSignal,
): Promise<{ ids: Set<string>; warnings: string[] }> {
  const ids = new Set<string>();
  const warnings: string[] = [];
  for (const replay of await core.reads.replays(destinationId)) {
    if (!isTestReplay(replay) || replay.markedForExpiration || replay.active) continue;
    ids.add(replay.id);
    const what = `A test snapshot left by an earlier test or an interrupted attempt (${describeReplay(replay)})`;
    try {
      await core.api.expireReplay(replay.id, signal);
      warnings.push(`${what} was expired; this test freezes its own point in time.`);
    } catch (error) {
      if (signal.aborted) throw error;
      warnings.push(`${what} could not be expired (${(error as Error).message}); it is not used. Expire it in DSM.`);
    }
  }
  return { ids, warnings };
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
  const views = await core.reads.volumesNamed(serial, viewName);
  if (views.length === 0) warnings.push('No test copy of this device exists: nothing to discard.');
  for (const view of views) {
    await unpresent(core, serial, view.id, undefined, signal);
    await deleteView(core, view.id, signal);
  }
  // The replays frozen for tests are the adapter's own: expire them so tests leave nothing behind.
  const pair = topology.find(device).find((p) => p.destinationSerial === serial);
  if (pair?.destinationVolume) {
    for (const replay of await core.reads.replays(pair.destinationVolume.id)) {
      if (isTestReplay(replay) && !replay.markedForExpiration && !replay.active) {
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
