import { describe, expect, it } from '@jest/globals';
import { VirtualClock, validateEnvironment } from '@drctl/domain';
import { SimulatedWorld, generateEnvironment } from '../src/index.js';

describe('scale', () => {
  const env = validateEnvironment(
    generateEnvironment({ vms: 1_000, hosts: 40, clusters: 4, datastores: 50, seed: 11 }),
  );

  it('recovers 1,000 VMs sharing one run signal, all at once, under virtual time', async () => {
    const clock = new VirtualClock();
    const world = new SimulatedWorld(env, { clock });
    const signal = new AbortController().signal;
    const devices = env.volumes.map((v) => v.id);
    const context = { workflow: 'planned-migration', plan: 'generated', runId: 'scale' };
    const promoted = await clock.runUntil(
      world.storage.failover({ arrayId: 'array-b', devices, idempotencyKey: 'promote', context, signal }),
    );
    expect(promoted.devices.every((d) => d.status === 'success')).toBe(true);
    const hosts = env.sites[1]!.clusters.flatMap((c) => c.hosts.map((h) => h.name));
    await clock.runUntil(Promise.all(hosts.map((host) => world.compute.rescanHost({ site: 'site-b', host, signal }))));
    await clock.runUntil(
      Promise.all(
        env.datastores.map((d) =>
          world.compute.mountDatastore({ site: 'site-b', datastore: d.name, devices: [], test: false, signal }),
        ),
      ),
    );
    const started = performance.now();
    const outcomes = await clock.runUntil(
      Promise.all(
        env.vms.map(async (vm) => {
          await world.compute.registerVm({
            site: 'site-b',
            vm: vm.name,
            host: world.vmAt('site-b', vm.name)!.host,
            test: false,
            signal,
          });
          await world.compute.powerOn({ site: 'site-b', vm: vm.name, signal });
          return world.compute.waitForTools({ site: 'site-b', vm: vm.name, timeoutMs: 600_000, signal });
        }),
      ),
    );
    expect(outcomes.every((o) => o === 'ready')).toBe(true);
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('rejects every pending wait at once when the shared signal aborts', async () => {
    const clock = new VirtualClock();
    const world = new SimulatedWorld(env, { clock });
    const controller = new AbortController();
    const reason = new Error('run cancelled');
    const start = clock.now();
    clock.setTimer(1_000, () => controller.abort(reason));
    const results = await clock.runUntil(
      Promise.allSettled(
        env.vms.map((vm) => world.compute.powerOff({ site: 'site-a', vm: vm.name, signal: controller.signal })),
      ),
    );
    expect(results.every((r) => r.status === 'rejected' && r.reason === reason)).toBe(true);
    expect(clock.now() - start).toBe(1_000);
    expect(world.vmAt('site-a', env.vms[0]!.name)!.power).toBe('on');
  });
});
