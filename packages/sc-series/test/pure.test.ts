import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { checkProtectable, chooseSnapshot, selectableSnapshotHonoured } from '../src/index.js';
import { asyncTaskPath } from '../src/http/async-task.js';
import { compareVersions, negotiatedVersion, usesLegacyFilters } from '../src/http/api-version.js';
import { filterPayload } from '../src/http/filters.js';
import { bytes, dsmDate, field } from '../src/dsm/wire.js';
import { deviceNameOf, replicationTypeOf } from '../src/topology.js';
import { markerDescription, readMarker } from '../src/commands/marker.js';
import { lastFrozen, namedReplay } from '../src/commands/replays.js';
import type { CommandContext } from '@drctl/domain';

const base: CommandContext = { workflow: 'test', plan: 'p', runId: 'r' };

describe('SRM selectable snapshot, Table 1', () => {
  it('is never honoured in planned migration or failback', () => {
    for (const workflow of ['planned-migration', 'failback']) {
      for (const protectedSiteUp of [true, false, undefined]) {
        expect(selectableSnapshotHonoured({ workflow, protectedSiteUp }).honoured).toBe(false);
      }
    }
  });
  it('is honoured in disaster recovery only when the protected site is down', () => {
    expect(selectableSnapshotHonoured({ workflow: 'disaster-recovery', protectedSiteUp: false }).honoured).toBe(true);
    expect(selectableSnapshotHonoured({ workflow: 'disaster-recovery', protectedSiteUp: true }).honoured).toBe(false);
    expect(selectableSnapshotHonoured({ workflow: 'disaster-recovery' }).honoured).toBe(false);
  });
  it('is honoured in a test only when "replicate recent changes" is off', () => {
    expect(selectableSnapshotHonoured({ workflow: 'test', syncData: false }).honoured).toBe(true);
    expect(selectableSnapshotHonoured({ workflow: 'test', syncData: true }).honoured).toBe(false);
    // SRM's default for the checkbox is on.
    expect(selectableSnapshotHonoured({ workflow: 'test' }).honoured).toBe(false);
  });
  it('picks the snapshot each mode asks for when honoured', () => {
    const honoured = { ...base, syncData: false };
    const pick = (
      snapshotMode: CommandContext['snapshotMode'],
      replicateActiveSnapshot: boolean,
      restorePoints?: Record<string, string>,
    ) =>
      chooseSnapshot({
        context: { ...honoured, snapshotMode, ...(restorePoints ? { restorePoints } : {}) },
        device: 'vol1',
        replicateActiveSnapshot,
      });
    expect(pick(undefined, false).source).toBe('active');
    expect(pick('always-active', false).source).toBe('active');
    expect(pick('always-last-frozen', true).source).toBe('last-frozen');
    expect(pick('active-if-replicating-active', true).source).toBe('active');
    expect(pick('active-if-replicating-active', false).source).toBe('last-frozen');
    expect(pick('per-restore-point', true).source).toBe('last-frozen');
    expect(pick('per-restore-point', false, { vol1: 'active' }).source).toBe('active');
    expect(pick('per-restore-point', false, { vol1: 'nightly-0300' })).toMatchObject({
      source: 'restore-point',
      snapshot: 'nightly-0300',
    });
  });
  it('falls back to the active snapshot whenever Table 1 says not honoured, whatever the mode (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(
          'always-active',
          'active-if-replicating-active',
          'always-last-frozen',
          'per-restore-point' as const,
        ),
        fc.constantFrom('planned-migration', 'failback', 'disaster-recovery', 'test', 'reprotect'),
        fc.option(fc.boolean(), { nil: undefined }),
        fc.option(fc.boolean(), { nil: undefined }),
        fc.boolean(),
        (snapshotMode, workflow, syncData, protectedSiteUp, replicateActiveSnapshot) => {
          const context: CommandContext = {
            workflow,
            plan: 'p',
            runId: 'r',
            snapshotMode,
            ...(syncData === undefined ? {} : { syncData }),
            ...(protectedSiteUp === undefined ? {} : { protectedSiteUp }),
          };
          const choice = chooseSnapshot({ context, device: 'd', replicateActiveSnapshot });
          const honoured =
            (workflow === 'test' && syncData === false) ||
            (workflow === 'disaster-recovery' && protectedSiteUp === false);
          expect(choice.honoured).toBe(honoured);
          if (!honoured) expect(choice.source).toBe('active');
          expect(choice.reason).toMatch(/Table 1|outside test/);
        },
      ),
    );
  });
});

describe('checkProtectable', () => {
  const lv = (over: Partial<{ autoFailover: boolean; autoRoleSwap: boolean; uniformMapping: boolean }>) => ({
    autoFailover: false,
    autoRoleSwap: false,
    uniformMapping: false,
    ...over,
  });
  it('accepts plain replications and well-configured Live Volumes', () => {
    expect(checkProtectable({ id: 'a', replicationType: 'async' })).toBeUndefined();
    expect(
      checkProtectable({ id: 'a', replicationType: 'sync-high-availability', liveVolume: lv({}) }),
    ).toBeUndefined();
  });
  it('refuses auto failover, auto role swap, high consistency and uniform mapping with a reason and a fix', () => {
    expect(checkProtectable({ id: 'a', replicationType: 'async', liveVolume: lv({ autoFailover: true }) })?.code).toBe(
      'SC_LV_AUTO_FAILOVER',
    );
    expect(checkProtectable({ id: 'a', replicationType: 'async', liveVolume: lv({ autoRoleSwap: true }) })?.code).toBe(
      'SC_LV_AUTO_ROLE_SWAP',
    );
    const hc = checkProtectable({ id: 'a', replicationType: 'sync-high-consistency', liveVolume: lv({}) });
    expect(hc?.code).toBe('SC_LV_SYNC_HIGH_CONSISTENCY');
    expect(hc?.fixHint).toBeTruthy();
    expect(
      checkProtectable({ id: 'a', replicationType: 'async', liveVolume: lv({ uniformMapping: true }) })?.code,
    ).toBe('SC_LV_UNIFORM_MAPPING');
  });
});

describe('AsyncTask URL handling', () => {
  it('strips scheme, host, port and the api/rest prefix from a full URL', () => {
    expect(
      asyncTaskPath({
        returnValue: 'https://localhost:3033/api/rest/ApiConnection/AsyncTask/1418394170395',
        instanceId: '1418394170395',
      }),
    ).toBe('ApiConnection/AsyncTask/1418394170395');
  });
  it('appends the id to a URL that lacks it, and uses the default path for a blank value', () => {
    expect(asyncTaskPath({ returnValue: 'https://dsm:3033/api/rest/ApiConnection/AsyncTask/', instanceId: '42' })).toBe(
      'ApiConnection/AsyncTask/42',
    );
    expect(asyncTaskPath({ returnValue: '', instanceId: '7' })).toBe('ApiConnection/AsyncTask/7');
    expect(asyncTaskPath({ instanceId: 7 })).toBe('ApiConnection/AsyncTask/7');
  });
  it('refuses XML and a URL with no id to add', () => {
    expect(() => asyncTaskPath({ returnValue: '<compapi><x/></compapi>', instanceId: '1' })).toThrow(/malformed/i);
    expect(() => asyncTaskPath({ returnValue: 'https://dsm:3033/api/rest/ApiConnection/AsyncTask/' })).toThrow(
      /without a task id/,
    );
  });
});

describe('API versions and filters', () => {
  it('negotiates from the range DSM states', () => {
    const text = 'Invalid API version specified, the version must be in the range [2.0, 3.1]';
    expect(negotiatedVersion(text, '4.0')).toBe('3.1');
    expect(negotiatedVersion(text, '1.0')).toBe('2.0');
    expect(negotiatedVersion('Invalid API version specified, the version must be in the range [2.0,', '4.0')).toBe(
      '2.0',
    );
    expect(
      negotiatedVersion('Invalid API version specified, the version must be in the range [', '4.0'),
    ).toBeUndefined();
  });
  it('compares versions numerically and picks the legacy filter shape below 2.2', () => {
    expect(compareVersions('4.10', '4.2')).toBeGreaterThan(0);
    expect(usesLegacyFilters('2.1')).toBe(true);
    expect(usesLegacyFilters('2.2')).toBe(false);
    expect(filterPayload({ scSerialNumber: 1, Name: undefined }, true)).toEqual({
      filterType: 'AND',
      filters: [{ attributeName: 'scSerialNumber', attributeValue: 1, filterType: 'Equals' }],
    });
    expect(filterPayload({ Name: 'v' }, false)).toEqual({
      filter: { filterType: 'AND', filters: [{ attributeName: 'Name', attributeValue: 'v', filterType: 'Equals' }] },
    });
  });
});

describe('wire parsing', () => {
  it('reads keys in any case, sizes and both date formats', () => {
    expect(field({ InstanceId: 'x' }, 'instanceId')).toBe('x');
    expect(bytes('1.073741824E9 Bytes')).toBe(1073741824);
    expect(bytes('2748779069440 Bytes')).toBe(2748779069440);
    expect(dsmDate('12/09/2014 03:52:08 PM')).toBe(Date.UTC(2014, 11, 9, 15, 52, 8));
    expect(dsmDate('2015-09-28T14:00:59-05:00')).toBe(Date.parse('2015-09-28T19:00:59Z'));
    expect(dsmDate('1969-12-31T18:00:00-06:00')).toBeUndefined();
  });
  it('names devices after the volume, not a derived destination name', () => {
    expect(deviceNameOf('vol1', 'Repl of vol1')).toBe('vol1');
    expect(deviceNameOf('vol1 (replica)', 'vol1')).toBe('vol1');
    expect(deviceNameOf('a', 'b')).toBe('a');
    expect(replicationTypeOf('Synchronous', 'HighAvailability')).toBe('sync-high-availability');
    expect(replicationTypeOf('Synchronous', 'None')).toBe('sync-high-consistency');
    expect(replicationTypeOf('Asynchronous', 'None')).toBe('async');
  });
  it('round-trips failover markers within the description length DSM keeps', () => {
    for (const replicationType of ['async', 'sync-high-availability', 'sync-high-consistency'] as const) {
      for (const activeReplay of [true, false]) {
        const text = markerDescription({ replicationType, activeReplay });
        expect(text.length).toBeLessThanOrEqual(30);
        expect(readMarker(text)).toEqual({ replicationType, activeReplay });
      }
    }
  });
  it('finds the last frozen snapshot, skipping the active one, expired ones and adapter markers', () => {
    const replay = (id: string, description: string, freezeTime: number, over: object = {}) => ({
      id,
      description,
      globalIndex: id,
      instanceName: id,
      active: false,
      markedForExpiration: false,
      freezeTime,
      ...over,
    });
    const list = [
      replay('1', 'hourly', 100),
      replay('2', 'hourly', 300),
      replay('3', 'old', 400, { markedForExpiration: true }),
      replay('4', 'drctl test copy', 500),
      replay('5', 'drctl failover a0', 600),
      replay('6', '', 700, { active: true }),
    ];
    expect(lastFrozen(list)?.id).toBe('2');
    expect(namedReplay(list, '1')?.id).toBe('1');
    expect(namedReplay(list, 'nothing')).toBeUndefined();
  });
});
