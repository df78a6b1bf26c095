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
      defaultMaxBootAndShutdownOpsPerCluster: null,
      defaultMaxBootAndShutdownOpsPerHost: null,
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
  });
});
