import { describe, expect, it } from '@jest/globals';
import {
  DrError,
  defaultSettings,
  effectiveCommandTimeoutSeconds,
  parseSettingOverrides,
  resolveSettings,
  settingsFromVmwareDrXml,
} from '../src/index.js';

describe('settings', () => {
  it('has SRM defaults', () => {
    expect(defaultSettings()).toEqual({
      'storage.commandTimeout': 300,
      'storage.maxConcurrentCommandCnt': 5,
      'storageProvider.hostRescanRepeatCnt': 1,
      'storageProvider.hostRescanTimeoutSec': 300,
      'storageProvider.stretchedDevicesMatchTimeout': 300,
      'storageProvider.autoResignatureMode': 0,
      defaultMaxBootAndShutdownOpsPerCluster: null,
      defaultMaxBootAndShutdownOpsPerHost: null,
      'recovery.forceRecovery': false,
    });
  });

  it('applies layers in order and records where each value came from', () => {
    const resolved = resolveSettings([
      {
        origin: 'environment',
        pathPrefix: 'settings',
        values: { 'storage.commandTimeout': 600, defaultMaxBootAndShutdownOpsPerHost: 4 },
      },
      parseSettingOverrides(['storage.commandTimeout=900']),
    ]);
    expect(resolved.values['storage.commandTimeout']).toBe(900);
    expect(resolved.origins['storage.commandTimeout']).toBe('override');
    expect(resolved.values.defaultMaxBootAndShutdownOpsPerHost).toBe(4);
    expect(resolved.origins.defaultMaxBootAndShutdownOpsPerHost).toBe('environment');
    expect(resolved.origins['storage.maxConcurrentCommandCnt']).toBe('default');
  });

  it('refuses out-of-range values and unknown names with the setting name and path', () => {
    let error: unknown;
    try {
      resolveSettings([
        {
          origin: 'environment',
          pathPrefix: 'settings',
          values: { 'storage.commandTimeout': -1, 'storage.comandTimeout': 5 },
        },
      ]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DrError);
    const issues = (error as DrError).issues;
    expect(issues).toContainEqual({
      path: 'settings.storage.commandTimeout',
      message: 'storage.commandTimeout must be ≥ 0, got -1',
    });
    expect(issues.find((i) => i.path === 'settings.storage.comandTimeout')?.message).toBe(
      'unknown setting storage.comandTimeout (did you mean storage.commandTimeout?)',
    );
  });

  it('accepts off for the boot limits only', () => {
    expect(
      resolveSettings([parseSettingOverrides(['defaultMaxBootAndShutdownOpsPerCluster=off'])]).values
        .defaultMaxBootAndShutdownOpsPerCluster,
    ).toBeNull();
    expect(() => resolveSettings([parseSettingOverrides(['storage.commandTimeout=off'])])).toThrow(DrError);
  });

  it('reads vmware-dr.xml <config>, nested and top-level elements', () => {
    const layer = settingsFromVmwareDrXml(`<?xml version="1.0"?>
      <config>
        <storage><commandTimeout>900</commandTimeout><maxConcurrentCommandCnt>3</maxConcurrentCommandCnt></storage>
        <storageProvider><hostRescanRepeatCnt>2</hostRescanRepeatCnt></storageProvider>
        <somethingElse><x>1</x></somethingElse>
        <defaultMaxBootAndShutdownOpsPerCluster>32
        </defaultMaxBootAndShutdownOpsPerCluster>
      </config>`);
    const resolved = resolveSettings([layer]);
    expect(resolved.values['storage.commandTimeout']).toBe(900);
    expect(resolved.values['storage.maxConcurrentCommandCnt']).toBe(3);
    expect(resolved.values['storageProvider.hostRescanRepeatCnt']).toBe(2);
    expect(resolved.values.defaultMaxBootAndShutdownOpsPerCluster).toBe(32);
    expect(resolved.origins['storage.commandTimeout']).toBe('vmware-dr.xml');
  });

  it('adds 90 s per Live Volume to the command timeout, keeping 0 as no limit', () => {
    const s = defaultSettings();
    expect(effectiveCommandTimeoutSeconds(s, 2)).toBe(480);
    expect(effectiveCommandTimeoutSeconds({ ...s, 'storage.commandTimeout': 0 }, 2)).toBe(0);
    // SRM's own value (vmware-dr.xml) already holds the 90 s per Live Volume (§4.7): not added twice.
    expect(effectiveCommandTimeoutSeconds(s, 2, 'vmware-dr.xml')).toBe(300);
    expect(effectiveCommandTimeoutSeconds(s, 2, 'override')).toBe(480);
  });

  it('reads recovery.forceRecovery as a flag: off by default, from the file, vmware-dr.xml or --set', () => {
    expect(resolveSettings([]).values['recovery.forceRecovery']).toBe(false);
    const fromFile = resolveSettings([
      { origin: 'environment', pathPrefix: 'settings', values: { 'recovery.forceRecovery': true } },
    ]);
    expect(fromFile.values['recovery.forceRecovery']).toBe(true);
    const xml = settingsFromVmwareDrXml('<config><recovery><forceRecovery>true</forceRecovery></recovery></config>');
    expect(resolveSettings([xml]).values['recovery.forceRecovery']).toBe(true);
    expect(
      resolveSettings([parseSettingOverrides(['recovery.forceRecovery=off'])]).values['recovery.forceRecovery'],
    ).toBe(false);
    let issues: Array<{ path: string; message: string }> = [];
    try {
      resolveSettings([parseSettingOverrides(['recovery.forceRecovery=2'])]);
    } catch (error) {
      issues = (error as DrError).issues;
    }
    expect(issues).toEqual([
      { path: '--set.recovery.forceRecovery', message: 'recovery.forceRecovery must be true or false, got "2"' },
    ]);
  });
});
