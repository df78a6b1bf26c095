import { describe, it, expect } from '@jest/globals';
import { defaultSettings } from '@drctl/domain';
import { normalizeLimit, slotLimitsFromSettings } from '../src/index.js';

describe('slotLimitsFromSettings', () => {
  it('applies the defaults, and a cluster override where the cluster has one', () => {
    const limits = slotLimitsFromSettings(
      { ...defaultSettings(), defaultMaxBootAndShutdownOpsPerHost: 2, defaultMaxBootAndShutdownOpsPerCluster: 8 },
      [{ name: 'gold', srmMaxBootShutdownOps: 16 }, { name: 'open', srmMaxBootShutdownOps: 0 }, { name: 'plain' }],
    );
    expect(normalizeLimit(limits.hostLimit('esx1'), 'host')).toBe(2);
    expect(normalizeLimit(limits.clusterLimit('gold'), 'gold')).toBe(16);
    expect(normalizeLimit(limits.clusterLimit('open'), 'open')).toBe(Infinity);
    expect(normalizeLimit(limits.clusterLimit('plain'), 'plain')).toBe(8);
  });

  it('is unlimited with SRM defaults (off)', () => {
    const limits = slotLimitsFromSettings(defaultSettings());
    expect(normalizeLimit(limits.hostLimit('esx1'), 'host')).toBe(Infinity);
    expect(normalizeLimit(limits.clusterLimit('any'), 'cluster')).toBe(Infinity);
  });
});
