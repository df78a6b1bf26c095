import type { CommandContext, DeviceError, Volume } from '@drctl/domain';
import type { PointInTime } from './point-in-time.js';
import type { DeviceState, Replay } from './state.js';

/**
 * What the simulated arrays do with one device for each state-changing SRA command, as pure
 * functions of the device's state. Each returns an effect (the new state), a no-op with a warning
 * (the command already took effect: the port's idempotency rule) or an error (a real precondition
 * fails). The world applies the result atomically when the device's work finishes, so two
 * concurrent identical calls give one effect and one no-op.
 */
export type Transition =
  | { kind: 'effect'; next: DeviceState; warnings: string[]; details?: Record<string, string> }
  | { kind: 'no-op'; warning: string; details?: Record<string, string> }
  /** Already in the state the command brings about, by design (a Live Volume's roles swap at failover): no warning. */
  | { kind: 'settled'; details: Record<string, string> }
  | { kind: 'error'; error: DeviceError };

export interface TransitionInput {
  device: DeviceState;
  volume: Volume;
  /** Array the command was sent to. */
  array: string;
  now: number;
  /** Whether the other array's site answers. */
  peerReachable: boolean;
  context: CommandContext;
  /** The point in time selectable snapshot and consistency groups ask for (point-in-time.ts). */
  point?: PointInTime | undefined;
}

export type TransitionCommand =
  | 'testFailoverStart'
  | 'testFailoverStop'
  | 'prepareFailover'
  | 'failover'
  | 'prepareReverseReplication'
  | 'reverseReplication'
  | 'restoreReplication';

/** Replays kept per device; older ones expire as an array's replay profile would expire them. */
export const MAX_REPLAYS = 10;

export const SIM_ERROR_CODES = {
  deviceUnknown: 'SIM_DEVICE_UNKNOWN',
  notOnArray: 'SIM_DEVICE_NOT_ON_ARRAY',
  wrongRole: 'SIM_WRONG_ROLE',
  notFailedOver: 'SIM_NOT_FAILED_OVER',
  alreadyFailedOver: 'SIM_ALREADY_FAILED_OVER',
  noReplica: 'SIM_NO_REPLICATED_REPLAY',
  reverseNotPrepared: 'SIM_REVERSE_NOT_PREPARED',
  peerUnreachable: 'SIM_PEER_UNREACHABLE',
  replicationBroken: 'SIM_REPLICATION_BROKEN',
  targetPromoted: 'SIM_TARGET_PROMOTED',
  testCopyElsewhere: 'SIM_TEST_COPY_ELSEWHERE',
  injected: 'SIM_INJECTED_FAULT',
} as const;

const fail = (code: string, description: string, fixHint?: string): Transition => ({
  kind: 'error',
  error: fixHint === undefined ? { code, description } : { code, description, fixHint },
});
const noOp = (warning: string, details?: Record<string, string>): Transition =>
  details ? { kind: 'no-op', warning, details } : { kind: 'no-op', warning };
const iso = (ms: number) => new Date(ms).toISOString();

/** `source`, `target`, or undefined when the device does not replicate on that array. */
export function roleOn(device: DeviceState, array: string): 'source' | 'target' | undefined {
  if (array === device.source) return 'source';
  if (array === device.target) return 'target';
  return undefined;
}

/** Read-write state of the device as the given array reports it. */
export function accessOn(device: DeviceState, array: string): 'read-write' | 'read-only' {
  if (array === device.source) return device.sourceWritable ? 'read-write' : 'read-only';
  if (array === device.target) return device.targetPromoted ? 'read-write' : 'read-only';
  return 'read-only';
}

export function notOnArray(device: string, array: string): Transition {
  return fail(
    SIM_ERROR_CODES.notOnArray,
    `Device ${device} does not replicate on array ${array}.`,
    'Send the command to one of the arrays discoverDevices lists for the device.',
  );
}

export function withReplay(device: DeviceState, replay: Omit<Replay, 'name'>): { next: DeviceState; replay: Replay } {
  const count = device.replayCount + 1;
  const made: Replay = { name: `${device.id}.r${count}`, ...replay };
  return {
    next: { ...device, replayCount: count, replays: [...device.replays, made].slice(-MAX_REPLAYS) },
    replay: made,
  };
}

/** The newest replay that has reached the peer by `now`. */
export function lastReplicated(device: DeviceState, now: number): Replay | undefined {
  let best: Replay | undefined;
  for (const r of device.replays) {
    if (
      r.replicatedAt !== undefined &&
      r.replicatedAt <= now &&
      (best === undefined || r.replicatedAt >= best.replicatedAt!)
    )
      best = r;
  }
  return best;
}

function isLiveVolume(volume: Volume): boolean {
  return volume.liveVolume !== undefined;
}

function testFailoverStart({ device, volume, array, now, context, point }: TransitionInput): Transition {
  const role = roleOn(device, array);
  if (role === undefined) return notOnArray(device.id, array);
  // A copy of this very test (a repeated command) is kept; one left by an earlier test (its
  // cleanup failed) holds that test's point in time and writes: it is replaced, and said so.
  let leftover: string | undefined;
  if (device.testCopy) {
    const copy = device.testCopy;
    if (copy.array !== array)
      return fail(
        SIM_ERROR_CODES.testCopyElsewhere,
        `A test copy of ${device.id} already exists on array ${copy.array}.`,
        'Run testFailoverStop there first.',
      );
    if (copy.runId === context.runId)
      return noOp(
        `This test's copy of ${device.id} already exists on ${array} (made from ${copy.fromReplay} at ${iso(copy.createdAt)}); nothing changed.`,
      );
    leftover = `A test copy of ${device.id} left by an earlier test (${copy.runId === undefined ? 'run unknown' : `run ${copy.runId}`}, made from ${copy.fromReplay} at ${iso(copy.createdAt)}) was discarded: this test presents a new copy of its own point in time.`;
  }
  if (role === 'source') {
    return fail(
      SIM_ERROR_CODES.wrongRole,
      `Array ${array} holds the source of ${device.id}; a test failover runs on the target array ${device.target}.`,
      `Send testFailoverStart to ${device.target}.`,
    );
  }
  if (device.targetPromoted) {
    return fail(
      SIM_ERROR_CODES.alreadyFailedOver,
      `Device ${device.id} is already failed over to ${array}; there is no replica to test.`,
      'Reprotect the plan before testing it again.',
    );
  }
  if (point?.kind === 'error') return { kind: 'error', error: point.error };
  const chosen =
    point?.kind === 'last-frozen'
      ? { name: point.replay.name, reason: point.reason }
      : chooseTestReplay(device, volume, now, context);
  if (chosen === undefined) {
    return fail(
      SIM_ERROR_CODES.noReplica,
      `No replay of ${device.id} has finished replicating to ${array} yet.`,
      'Synchronize storage (syncOnce) and try again.',
    );
  }
  return {
    kind: 'effect',
    next: { ...device, testCopy: { array, fromReplay: chosen.name, createdAt: now, runId: context.runId } },
    warnings: [...(leftover ? [leftover] : []), ...(chosen.warning ? [chosen.warning] : [])],
    details: { snapshot: chosen.name, frozen: String(chosen.name !== 'active'), reason: chosen.reason },
  };
}

/**
 * Which replica a test view volume is made from: the requested restore point, else the active
 * snapshot when the volume replicates it, else the last frozen replay that reached the target.
 * (SC Series' selectable-snapshot rules belong to its own adapter; this is the simple default.)
 */
function chooseTestReplay(
  device: DeviceState,
  volume: Volume,
  now: number,
  context: CommandContext,
): { name: string; reason: string; warning?: string } | undefined {
  const last = lastReplicated(device, now);
  const requested = context.snapshotMode === 'per-restore-point' ? context.restorePoints?.[device.id] : undefined;
  if (requested !== undefined) {
    const replay = device.replays.find(
      (r) => r.name === requested && r.replicatedAt !== undefined && r.replicatedAt <= now,
    );
    if (replay) return { name: replay.name, reason: 'requested restore point' };
    if (last)
      return {
        name: last.name,
        reason: 'last frozen replay',
        warning: `Restore point ${requested} of ${device.id} is not on the target; used ${last.name} instead.`,
      };
  }
  if (volume.replicateActiveSnapshot && context.snapshotMode !== 'always-last-frozen')
    return { name: 'active', reason: 'active snapshot is replicated' };
  return last ? { name: last.name, reason: 'last frozen replay' } : undefined;
}

function testFailoverStop({ device, array }: TransitionInput): Transition {
  if (roleOn(device, array) === undefined) return notOnArray(device.id, array);
  if (!device.testCopy) return noOp(`There is no test copy of ${device.id} on ${array}; nothing to discard.`);
  if (device.testCopy.array !== array) {
    return fail(
      SIM_ERROR_CODES.testCopyElsewhere,
      `The test copy of ${device.id} is on array ${device.testCopy.array}, not ${array}.`,
      `Send testFailoverStop to ${device.testCopy.array}.`,
    );
  }
  const { testCopy: _discarded, ...rest } = device;
  return { kind: 'effect', next: rest, warnings: [], details: { discarded: _discarded.fromReplay } };
}

function prepareFailover({ device, volume, array, now }: TransitionInput): Transition {
  const role = roleOn(device, array);
  if (role === undefined) return notOnArray(device.id, array);
  // A Live Volume whose roles a failover swapped while this array was away is secondary here
  // already: preparing it again (disaster recovery run once more after the site came back) is done.
  if (role === 'target' && isLiveVolume(volume) && device.failedOverTo === device.source) {
    return noOp(
      `Live Volume ${device.id} swapped roles at failover; ${array} is already its secondary; nothing changed.`,
    );
  }
  if (role === 'target') {
    return fail(
      SIM_ERROR_CODES.wrongRole,
      `Array ${array} holds the target of ${device.id}; prepareFailover runs on the source array ${device.source}.`,
      `Send prepareFailover to ${device.source}.`,
    );
  }
  if (!device.sourceWritable)
    return noOp(`Device ${device.id} is already read-only on ${array} (prepared for failover); nothing changed.`);
  // The final replay stays local until the next sync replicates it.
  const { next, replay } = withReplay(device, { array, reason: 'prepare-failover', takenAt: now });
  return {
    kind: 'effect',
    next: { ...next, sourceWritable: false },
    warnings: [],
    details: { finalReplay: replay.name },
  };
}

function failover({ device, volume, array, now, peerReachable, point }: TransitionInput): Transition {
  const role = roleOn(device, array);
  if (role === undefined) return notOnArray(device.id, array);
  if (role === 'source') {
    if (device.failedOverTo === array)
      return noOp(`Device ${device.id} was already failed over to ${array} and is read-write there; nothing changed.`);
    return fail(
      SIM_ERROR_CODES.wrongRole,
      `Array ${array} holds the source of ${device.id}; failover runs on the target array ${device.target}.`,
      `Send failover to ${device.target}.`,
    );
  }
  if (device.targetPromoted)
    return noOp(`Device ${device.id} is already promoted read-write on ${array}; nothing changed.`);
  const warnings: string[] = [];
  if (device.sourceWritable) {
    warnings.push(
      `The source of ${device.id} on ${device.source} was still read-write (protected site not prepared); writes there after the last replication are not recovered.`,
    );
  }
  if (device.testCopy) warnings.push(`A test copy of ${device.id} still exists on ${device.testCopy.array}.`);
  if (point?.kind === 'error') return { kind: 'error', error: point.error };
  // Selectable snapshot / consistency group: the frozen point the recovery presents (§5.7, §5.8).
  const recoveryPoint = point?.kind === 'last-frozen' ? point.replay : lastReplicated(device, now);
  // A failsafe replay of the replica before promotion, so the promotion could be undone.
  const { next, replay } = withReplay(device, { array, reason: 'failsafe', takenAt: now });
  const details: Record<string, string> = { failsafeReplay: replay.name };
  if (recoveryPoint) {
    details['recoveryPoint'] = recoveryPoint.name;
    details['recoveryPointTime'] = iso(recoveryPoint.replicatedAt!);
  }
  if (point?.kind === 'last-frozen') {
    details['snapshotSource'] = 'last frozen snapshot';
    details['frozenAt'] = iso(point.replay.takenAt);
    details['snapshotReason'] = point.reason;
  }
  const presentedAt = { ...next.presentedAt, [array]: now };
  if (isLiveVolume(volume)) {
    // A Live Volume swaps roles: the recovery side becomes primary; mirroring continues when it can.
    details['roleSwap'] = `${device.source} → ${array}`;
    if (!peerReachable)
      warnings.push(
        `Array ${device.source} is unreachable; the Live Volume ${device.id} stops mirroring until replication is reversed.`,
      );
    return {
      kind: 'effect',
      next: {
        ...next,
        source: array,
        target: device.source,
        sourceWritable: true,
        targetPromoted: false,
        replication: peerReachable ? 'running' : 'broken',
        reversePrepared: false,
        failedOverTo: array,
        presentedAt,
      },
      warnings,
      details,
    };
  }
  return {
    kind: 'effect',
    next: { ...next, targetPromoted: true, replication: 'broken', failedOverTo: array, presentedAt },
    warnings,
    details,
  };
}

function prepareReverseReplication({ device, volume, array }: TransitionInput): Transition {
  const role = roleOn(device, array);
  if (role === undefined) return notOnArray(device.id, array);
  const reversedAlready =
    device.failedOverTo !== undefined && device.failedOverTo === device.source && !device.targetPromoted;
  if (role === 'target') {
    if (reversedAlready && isLiveVolume(volume))
      return {
        kind: 'settled',
        details: { reverse: `Live Volume roles swapped at failover: ${device.source} is primary` },
      };
    if (reversedAlready)
      return noOp(`Device ${device.id} already replicates from ${device.source} to ${array}; nothing changed.`);
    return fail(
      SIM_ERROR_CODES.wrongRole,
      `Array ${array} holds the target of ${device.id}; prepareReverseReplication runs on the old source array ${device.source}.`,
      `Send it to ${device.source}.`,
    );
  }
  if (isLiveVolume(volume) && reversedAlready)
    return {
      kind: 'settled',
      details: { reverse: `Live Volume roles swapped at failover: ${device.source} is primary` },
    };
  if (!device.targetPromoted) {
    return fail(
      SIM_ERROR_CODES.notFailedOver,
      `Device ${device.id} has not failed over to ${device.target}; there is nothing to reverse.`,
      'Run a planned migration or disaster recovery first.',
    );
  }
  if (device.reversePrepared)
    return noOp(`Device ${device.id} on ${array} is already prepared to receive replication; nothing changed.`);
  return {
    kind: 'effect',
    next: {
      ...device,
      reversePrepared: true,
      sourceWritable: false,
      presentedAt: withoutKey(device.presentedAt, array),
    },
    warnings: [],
  };
}

function reverseReplication({ device, volume, array, peerReachable }: TransitionInput): Transition {
  if (roleOn(device, array) === undefined) return notOnArray(device.id, array);
  if (isLiveVolume(volume) && device.failedOverTo === device.source && !device.targetPromoted) {
    if (device.replication === 'running')
      return {
        kind: 'settled',
        details: { direction: `${device.source} → ${device.target} (Live Volume roles swapped at failover)` },
      };
    if (!peerReachable)
      return fail(
        SIM_ERROR_CODES.peerUnreachable,
        `Array ${device.target} is unreachable; Live Volume ${device.id} cannot resume mirroring.`,
        'Wait for the site to come back.',
      );
    return {
      kind: 'effect',
      next: { ...device, replication: 'running' },
      warnings: [],
      details: { direction: `${device.source} → ${device.target}` },
    };
  }
  if (!device.targetPromoted) {
    if (device.failedOverTo !== undefined && device.failedOverTo === device.source) {
      return noOp(`Device ${device.id} already replicates from ${device.source} to ${device.target}; nothing changed.`);
    }
    return fail(
      SIM_ERROR_CODES.notFailedOver,
      `Device ${device.id} has not failed over to ${device.target}; there is nothing to reverse.`,
      'Run a planned migration or disaster recovery first.',
    );
  }
  if (!device.reversePrepared) {
    return fail(
      SIM_ERROR_CODES.reverseNotPrepared,
      `The old source of ${device.id} on ${device.source} is not prepared to receive replication.`,
      `Run prepareReverseReplication on ${device.source} first.`,
    );
  }
  if (!peerReachable) {
    const other = array === device.source ? device.target : device.source;
    return fail(
      SIM_ERROR_CODES.peerUnreachable,
      `Array ${other} is unreachable; replication of ${device.id} cannot be reversed.`,
      'Wait for the site to come back.',
    );
  }
  return {
    kind: 'effect',
    next: {
      ...device,
      source: device.target,
      target: device.source,
      sourceWritable: true,
      targetPromoted: false,
      replication: 'running',
      reversePrepared: false,
    },
    warnings: [],
    details: { direction: `${device.target} → ${device.source}` },
  };
}

function restoreReplication({ device, array, now, peerReachable }: TransitionInput): Transition {
  if (roleOn(device, array) === undefined) return notOnArray(device.id, array);
  if (device.targetPromoted) {
    return fail(
      SIM_ERROR_CODES.targetPromoted,
      `Device ${device.id} is promoted read-write on ${device.target}; restoring would discard the writes made there.`,
      'Reprotect (reverse the replication) instead.',
    );
  }
  if (device.sourceWritable && device.replication === 'running' && !device.reversePrepared) {
    return noOp(`Replication of ${device.id} already runs from ${device.source} to ${device.target}; nothing changed.`);
  }
  if (!peerReachable) {
    const other = array === device.source ? device.target : device.source;
    return fail(
      SIM_ERROR_CODES.peerUnreachable,
      `Array ${other} is unreachable; replication of ${device.id} cannot be restored.`,
      'Wait for the site to come back.',
    );
  }
  const presentedAt = device.sourceWritable ? device.presentedAt : { ...device.presentedAt, [device.source]: now };
  return {
    kind: 'effect',
    next: { ...device, sourceWritable: true, replication: 'running', reversePrepared: false, presentedAt },
    warnings: [],
    details: { direction: `${device.source} → ${device.target}` },
  };
}

function withoutKey(record: Record<string, number>, key: string): Record<string, number> {
  const { [key]: _gone, ...rest } = record;
  return rest;
}

export const TRANSITIONS: Readonly<Record<TransitionCommand, (input: TransitionInput) => Transition>> = {
  testFailoverStart,
  testFailoverStop,
  prepareFailover,
  failover,
  prepareReverseReplication,
  reverseReplication,
  restoreReplication,
};

/** Starting a sync of one device on `array` (its source): the replay, or why not. */
export function startSync(input: TransitionInput & { key: string; syncMs: number; takenAt?: number }): Transition {
  const { device, array, now, peerReachable, key, syncMs } = input;
  const role = roleOn(device, array);
  if (role === undefined) return notOnArray(device.id, array);
  if (device.sync?.key === key || device.syncKeys.includes(key)) {
    return noOp(
      `A sync of ${device.id} with this idempotency key was already started; nothing changed.`,
      device.sync?.key === key ? { replay: device.sync.replay } : undefined,
    );
  }
  if (role === 'target') {
    return fail(
      SIM_ERROR_CODES.wrongRole,
      `Array ${array} holds the target of ${device.id}; syncOnce runs on the source array ${device.source}.`,
      `Send syncOnce to ${device.source}.`,
    );
  }
  if (device.replication === 'broken') {
    return fail(
      SIM_ERROR_CODES.replicationBroken,
      `Replication of ${device.id} is broken (failed over to ${device.failedOverTo ?? device.target}).`,
      'Reverse the replication (reprotect) before synchronizing.',
    );
  }
  if (!peerReachable) {
    return fail(
      SIM_ERROR_CODES.peerUnreachable,
      `Array ${device.target} is unreachable; ${device.id} cannot be replicated to it.`,
      'Wait for the site to come back.',
    );
  }
  const finishesAt = now + syncMs;
  // A consistency group's devices are frozen together, at the command's start (one consistent snapshot, §5.7).
  const takenAt = input.takenAt ?? now;
  const { next, replay } = withReplay(device, { array, reason: 'sync', takenAt, replicatedAt: finishesAt });
  return {
    kind: 'effect',
    next: {
      ...next,
      sync: { key, replay: replay.name, startedAt: now, finishesAt },
      syncKeys: [...device.syncKeys, key].slice(-50),
    },
    warnings: [],
    details: { replay: replay.name },
  };
}
