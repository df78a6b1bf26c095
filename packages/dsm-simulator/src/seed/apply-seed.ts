import { DrError, type InputIssue } from '@drctl/domain';
import { createReplayProfile, setReplayProfiles } from '../model/consistency-group-operations.js';
import { ensureFolderPath, ensureRootFolders } from '../model/folder-operations.js';
import { createLiveVolume } from '../model/live-volume-operations.js';
import { mapLiveVolumeSecondary, mapToServer } from '../model/mapping-operations.js';
import type { DsmModel } from '../model/dsm-model.js';
import type { ReplayRecord, ServerRecord, VolumeRecord } from '../model/records.js';
import { createQosNode, createReplication } from '../model/replication-operations.js';
import { saveRestorePoints } from '../model/restore-point-operations.js';
import { addHba, createServer } from '../model/server-operations.js';
import type { DsmState } from '../model/state.js';
import { completeAllTransfers } from '../model/transfers.js';
import { createReplay, createVolume } from '../model/volume-operations.js';
import type { Outcome } from '../protocol/outcome.js';
import type { DsmSeed, SeedReplay } from './seed.js';

const GIB = 1024 ** 3;

/** Collects problems with their seed path so one error lists them all. */
class SeedProblems {
  readonly issues: InputIssue[] = [];
  check<T>(path: string, outcome: Outcome<T>): T | undefined {
    if (outcome.ok) return outcome.value;
    this.issues.push({ path, message: outcome.message });
    return undefined;
  }
  add(path: string, message: string): void {
    this.issues.push({ path, message });
  }
}

function findByName<T extends { ssn: number; name: string }>(
  items: Iterable<T>,
  ssn: number,
  name: string,
): T | undefined {
  for (const item of items) if (item.ssn === ssn && item.name === name) return item;
  return undefined;
}

function frozenAt(replay: SeedReplay, now: number): number {
  if (replay.frozenAt !== undefined) {
    const at = Date.parse(replay.frozenAt);
    if (Number.isFinite(at)) return Math.min(at, now);
  }
  return now - (replay.minutesAgo ?? 60) * 60_000;
}

/** Seeded replays are frozen in the past: the replay is created now and its times moved back. */
function seedReplay(state: DsmState, volume: VolumeRecord, replay: SeedReplay): Outcome<ReplayRecord> {
  const created = createReplay(state, volume, { description: replay.description });
  if (!created.ok) return created;
  const at = frozenAt(replay, state.now());
  created.value.freezeTime = at;
  created.value.expireAt = replay.expireMinutes ? at + replay.expireMinutes * 60_000 : undefined;
  state.noteExpiry(created.value);
  return created;
}

/**
 * Fills the model from a seed. Problems are collected and thrown as one DrError naming each
 * field (`volumes[2].mappedTo[0]: ...`), since a bad seed is a bad start-up input.
 */
export function applySeed(model: DsmModel, seed: DsmSeed): void {
  const state = model.state;
  const problems = new SeedProblems();

  seed.storageCenters.forEach((sc, i) => {
    if (!Number.isInteger(sc.serial) || sc.serial <= 0)
      return problems.add(`storageCenters[${i}].serial`, 'must be a positive whole number');
    if (state.storageCenters.has(sc.serial))
      return problems.add(`storageCenters[${i}].serial`, `Storage Center ${sc.serial} is listed twice`);
    state.storageCenters.set(sc.serial, {
      serial: sc.serial,
      name: sc.name ?? `Storage Center ${sc.serial}`,
      version: sc.version ?? '7.3.20.19',
      connected: true,
      hostOrIpAddress: sc.hostOrIpAddress ?? `sc${sc.serial}.local`,
      ...(sc.site ? { site: sc.site } : {}),
    });
    ensureRootFolders(state, sc.serial);
  });

  const servers = seed.servers ?? [];
  // Clusters first so members can join them.
  const ordered = [...servers.entries()].sort(
    ([, a], [, b]) => Number(b.kind === 'cluster') - Number(a.kind === 'cluster'),
  );
  for (const [i, server] of ordered) {
    let clusterId: string | undefined;
    if (server.cluster) {
      clusterId = findByName(state.servers.values(), server.storageCenter, server.cluster)?.id;
      if (!clusterId)
        problems.add(
          `servers[${i}].cluster`,
          `no cluster named ${server.cluster} on Storage Center ${server.storageCenter}`,
        );
    }
    const created = problems.check(
      `servers[${i}]`,
      createServer(state, {
        ssn: server.storageCenter,
        name: server.name,
        kind: server.kind ?? 'physical',
        operatingSystem: server.operatingSystem,
        clusterId,
      }),
    );
    if (!created) continue;
    server.hbas?.forEach((hba, h) =>
      problems.check(`servers[${i}].hbas[${h}]`, addHba(state, created, hba.portType ?? 'Iscsi', hba.name)),
    );
  }

  seed.qosNodes?.forEach((node, i) =>
    problems.check(
      `qosNodes[${i}]`,
      createQosNode(state, {
        ssn: node.storageCenter,
        name: node.name,
        linkSpeed: node.linkSpeed,
        bandwidthLimited: node.bandwidthLimited,
      }),
    ),
  );

  const mapTo = (path: string, volume: VolumeRecord, names: string[] | undefined, secondary: boolean) => {
    names?.forEach((name, m) => {
      const server: ServerRecord | undefined = findByName(state.servers.values(), volume.ssn, name);
      if (!server) return problems.add(`${path}[${m}]`, `no server named ${name} on Storage Center ${volume.ssn}`);
      problems.check(
        `${path}[${m}]`,
        secondary ? mapLiveVolumeSecondary(state, volume, server, {}) : mapToServer(state, volume, server, {}),
      );
    });
  };

  seed.volumes?.forEach((volume, i) => {
    let folderId: string | undefined;
    if (volume.folder)
      folderId = problems.check(
        `volumes[${i}].folder`,
        ensureFolderPath(state, 'volume', volume.storageCenter, volume.folder),
      )?.id;
    const created = problems.check(
      `volumes[${i}]`,
      createVolume(state, {
        ssn: volume.storageCenter,
        name: volume.name,
        sizeBytes: (volume.sizeGb ?? 100) * GIB,
        folderId,
        active: volume.active ?? true,
        replayDeltaBytes: volume.replayDeltaBytes,
        transferSeconds: volume.transferSeconds,
      }),
    );
    if (!created) return;
    volume.replays?.forEach((replay, r) =>
      problems.check(`volumes[${i}].replays[${r}]`, seedReplay(state, created, replay)),
    );
    mapTo(`volumes[${i}].mappedTo`, created, volume.mappedTo, false);
  });

  const volumeNamed = (path: string, ssn: number, name: string): VolumeRecord | undefined => {
    const volume = findByName(state.volumes.values(), ssn, name);
    if (!volume) problems.add(path, `no volume named ${name} on Storage Center ${ssn}`);
    return volume;
  };
  const qosNamed = (path: string, ssn: number, name: string) => {
    const node = findByName(state.qosNodes.values(), ssn, name);
    if (!node) problems.add(path, `no replication QoS node named ${name} on Storage Center ${ssn}`);
    return node;
  };

  seed.replications?.forEach((replication, i) => {
    const source = volumeNamed(`replications[${i}].sourceVolume`, replication.storageCenter, replication.sourceVolume);
    const qos = qosNamed(`replications[${i}].qosNode`, replication.storageCenter, replication.qosNode);
    if (!source || !qos) return;
    const created = problems.check(
      `replications[${i}]`,
      createReplication(state, {
        ssn: replication.storageCenter,
        sourceVolumeId: source.id,
        destinationSsn: replication.destinationStorageCenter,
        qosNodeId: qos.id,
        type: replication.type,
        syncMode: replication.syncMode,
        replicateActiveReplay: replication.replicateActiveReplay,
        destinationAttributes: { name: replication.destinationName },
      }),
    );
    // A seeded replication has been running for a while: everything frozen so far has arrived.
    if (created) completeAllTransfers(state, created);
  });

  seed.liveVolumes?.forEach((lv, i) => {
    const primary = volumeNamed(`liveVolumes[${i}].primaryVolume`, lv.storageCenter, lv.primaryVolume);
    const primaryQos = qosNamed(`liveVolumes[${i}].primaryQosNode`, lv.storageCenter, lv.primaryQosNode);
    const secondaryQos = qosNamed(`liveVolumes[${i}].secondaryQosNode`, lv.secondaryStorageCenter, lv.secondaryQosNode);
    if (!primary || !primaryQos || !secondaryQos) return;
    const created = problems.check(
      `liveVolumes[${i}]`,
      createLiveVolume(state, {
        ssn: lv.storageCenter,
        primaryVolumeId: primary.id,
        secondarySsn: lv.secondaryStorageCenter,
        primaryQosNodeId: primaryQos.id,
        secondaryQosNodeId: secondaryQos.id,
        type: lv.type,
        syncMode: lv.syncMode,
        replicateActiveReplay: lv.replicateActiveReplay,
        failoverAutomaticallyEnabled: lv.failoverAutomaticallyEnabled,
        restoreAutomaticallyEnabled: lv.restoreAutomaticallyEnabled,
        swapRolesAutomaticallyEnabled: lv.swapRolesAutomaticallyEnabled,
        managingReplications: lv.managingReplications ?? false,
      }),
    );
    if (!created) return;
    const replication = state.replications.get(created.replicationId);
    if (replication) completeAllTransfers(state, replication);
    const secondary = state.volumes.get(created.secondaryVolumeId);
    if (secondary) mapTo(`liveVolumes[${i}].secondaryMappedTo`, secondary, lv.secondaryMappedTo, true);
  });

  seed.consistencyGroups?.forEach((group, i) => {
    const profile = problems.check(
      `consistencyGroups[${i}]`,
      createReplayProfile(state, { ssn: group.storageCenter, name: group.name, type: 'Consistent' }),
    );
    if (!profile) return;
    group.volumes.forEach((name, v) => {
      const volume = volumeNamed(`consistencyGroups[${i}].volumes[${v}]`, group.storageCenter, name);
      if (volume)
        problems.check(
          `consistencyGroups[${i}].volumes[${v}]`,
          setReplayProfiles(state, volume, [...volume.replayProfileIds, profile.id]),
        );
    });
  });

  if (seed.saveRestorePoints ?? true) saveRestorePoints(state);
  if (seed.srmSelectableSnapshot !== undefined)
    state.dataCollectorSettings.srmSelectableSnapshot = seed.srmSelectableSnapshot;

  if (problems.issues.length > 0) {
    throw new DrError(
      'DR_INPUT_INVALID',
      `The DSM simulator seed has ${problems.issues.length} problem${problems.issues.length > 1 ? 's' : ''}.`,
      { issues: problems.issues },
    );
  }
}
