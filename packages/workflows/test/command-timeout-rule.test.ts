import { describe, expect, it } from '@jest/globals';
import { parseSettingOverrides, resolveSettings, settingsFromVmwareDrXml } from '@drctl/domain';
import { createHarness, smallEnvironment } from './harness.js';

const VMWARE_DR_XML = '<config><storage><commandTimeout>480</commandTimeout></storage></config>';

describe('storage.commandTimeout + 90 s per Live Volume of the plan, applied once (guide §4.7)', () => {
  it("a value from vmware-dr.xml is SRM's own, already raised per Live Volume: applied as it is", async () => {
    const env = smallEnvironment({ liveVolumes: 2 });
    const settings = resolveSettings([settingsFromVmwareDrXml(VMWARE_DR_XML)]);
    const h = createHarness(env, {
      faults: [{ kind: 'hang', command: 'failover' }],
      engine: { settings },
    });
    const report = await h.run({ plan: env.plans[0]!.name, workflow: 'planned-migration' });
    expect(report.settings.liveVolumes).toBe(2);
    expect(report.settings.appliedCommandTimeoutSeconds).toBe(480);
    const hung = report.storageCommands.find((c) => c.command === 'failover')!;
    expect(hung.status).toBe('timeout');
    expect(Date.parse(hung.finishedAt!) - Date.parse(hung.startedAt)).toBe(480_000);
    expect(hung.message).toMatch(
      /storage.commandTimeout 480 s from vmware-dr.xml, which already counts 90 s per Live Volume/,
    );
  });

  it('a value given to drctl (file, --set) gets the 90 s for each Live Volume of the plan, once', async () => {
    const env = smallEnvironment({ liveVolumes: 2 });
    const settings = resolveSettings([
      settingsFromVmwareDrXml(VMWARE_DR_XML),
      parseSettingOverrides(['storage.commandTimeout=300']),
    ]);
    const h = createHarness(env, { engine: { settings } });
    const report = await h.run({ plan: env.plans[0]!.name, workflow: 'test' });
    expect(report.settings.appliedCommandTimeoutSeconds).toBe(300 + 2 * 90);
  });
});
