import { setMaxListeners } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { SystemClock, environmentSchema } from '@drctl/domain';
import { SlotPool, rtoLowerBound, uniformSlotLimits, type SchedulableTask } from '@drctl/scheduler';
import { VsphereCompute, startLabVcenter } from '@drctl/vsphere';

export interface VsphereRecoveryOptions {
  /** @default 1000 */
  vms?: number;
  /** Hosts of the recovery cluster. @default 8 */
  hosts?: number;
  /** Boot slots per host (defaultMaxBootAndShutdownOpsPerHost). @default 16 */
  perHostLimit?: number;
  /** The lab vCenter's Tools heartbeat delay after power-on, ms. @default 1000 */
  heartbeatDelayMs?: number;
  /** The adapter's property-read interval while waiting, ms. @default 250 */
  pollIntervalMs?: number;
  /** Registrations in flight at once. @default 32 */
  registerConcurrency?: number;
}

/** What recovering a plan through the vSphere adapter against a lab vCenter (vcsim) took. */
export interface VsphereRecoveryFigures {
  vms: number;
  hosts: number;
  perHostLimit: number;
  heartbeatDelayMs: number;
  /** Rescans, the resignature of the recovered datastore, registration of every VM. */
  storageAndRegisterSeconds: number;
  /** First power-on until the last heartbeat. */
  bootWallSeconds: number;
  /** What no schedule can beat for the boot phase under the slots and the lab's heartbeat delay. */
  bootLowerBoundSeconds: number;
  totalWallSeconds: number;
  /** SOAP calls the lab vCenter counted, over every recovered VM. */
  vcenterCalls: number;
  callsPerVm: number;
  /** The boot phase alone (power-on and heartbeat wait). */
  bootCallsPerVm: number;
  callsByMethod: Record<string, number>;
  powerOnBatches: number;
  /** Resident set of the lab vCenter at its peak (VmHWM), MB. */
  vcenterPeakRssMegabytes: number;
  /** vcsim's own start: creating its inventory (not part of the recovery). */
  labStartSeconds: number;
}

const NAA = '6000d31000beac000000000000000001';
const DATASTORE = 'benchds';

const total = (calls: Record<string, Record<string, number>>) =>
  Object.values(calls)
    .flatMap((byTarget) => Object.values(byTarget))
    .reduce((a, b) => a + b, 0);

/**
 * Recovers `vms` VMs through `VsphereCompute` against a real lab vCenter, the way a recovery plan
 * does at the recovery site: rescan every host, resignature the recovered datastore, register every
 * VM from its .vmx, then power each on under the per-host boot slots (the scheduler's `SlotPool`)
 * and hold its slot until its Tools heartbeat. vcsim counts the calls; the wall time of the boot
 * phase is set beside `rtoLowerBound` for the same slots and the lab's heartbeat delay.
 */
export async function measureVsphereRecovery(options: VsphereRecoveryOptions = {}): Promise<VsphereRecoveryFigures> {
  const vms = options.vms ?? 1000;
  const hostCount = options.hosts ?? 8;
  const perHostLimit = options.perHostLimit ?? 16;
  const heartbeatDelayMs = options.heartbeatDelayMs ?? 1000;
  const dir = mkdtempSync(join(tmpdir(), 'drctl-bench-vsphere-'));
  const names = Array.from({ length: vms }, (_, i) => `vm${String(i).padStart(5, '0')}`);
  // The recovered LUN, holding every protected VM's files (what RegisterVM_Task checks for).
  const lun = join(dir, 'san', DATASTORE);
  mkdirSync(lun, { recursive: true });
  writeFileSync(join(lun, 'naa'), NAA);
  for (const name of names) {
    mkdirSync(join(lun, name));
    for (const file of [`${name}.vmx`, `${name}.nvram`, 'vmware.log']) writeFileSync(join(lun, name, file), '');
  }
  const labStart = performance.now();
  const lab = await startLabVcenter(
    [
      '-username',
      'bench',
      '-password',
      'bench',
      '-host',
      String(hostCount),
      '-vm',
      '0',
      '-san-dir',
      join(dir, 'san'),
      '-tools-delay',
      `${heartbeatDelayMs}ms`,
    ],
    join(dir, 'vc.pem'),
  );
  const labStartSeconds = (performance.now() - labStart) / 1000;
  const hosts = Array.from({ length: hostCount }, (_, i) => `DC0_C0_H${i}`);
  const hostOf = (i: number) => hosts[i % hostCount]!;
  const environment = environmentSchema.parse({
    name: 'bench-vsphere',
    sites: [
      { name: 'prot', vcenter: 'vc1', clusters: [{ name: 'C', hosts: [{ name: 'esx1' }] }] },
      { name: 'rec', vcenter: 'vc2', clusters: [{ name: 'DC0_C0', hosts: hosts.map((name) => ({ name })) }] },
    ],
    datastores: [{ name: DATASTORE, site: 'prot', devices: ['benchvol'] }],
    vms: names.map((name) => ({ name, site: 'prot', cluster: 'C', host: 'esx1', datastores: [DATASTORE] })),
  });
  const compute = new VsphereCompute({
    environment,
    clock: new SystemClock(),
    logger: pino({ level: 'silent' }),
    pollIntervalMs: options.pollIntervalMs ?? 250,
    deviceNaa: () => NAA,
    vcenters: {
      rec: { host: lab.host, port: lab.port, username: 'bench', password: 'bench', caPem: lab.certPem },
    },
  });
  const signal = AbortSignal.timeout(600_000);
  // A thousand VMs' calls listen to the one bound.
  setMaxListeners(0, signal);
  try {
    const start = performance.now();
    await Promise.all(hosts.map((host) => compute.rescanHost({ site: 'rec', host, signal })));
    await compute.mountDatastore({ site: 'rec', datastore: DATASTORE, devices: ['benchvol'], test: false, signal });
    let next = 0;
    await Promise.all(
      Array.from({ length: options.registerConcurrency ?? 32 }, async () => {
        while (next < names.length) {
          const i = next++;
          await compute.registerVm({ site: 'rec', vm: names[i]!, host: hostOf(i), test: false, signal });
        }
      }),
    );
    const beforeBoot = await lab.calls();
    const bootStart = performance.now();
    const pool = new SlotPool(uniformSlotLimits(perHostLimit, null));
    await Promise.all(
      names.map(async (vm, i) => {
        const release = await pool.acquire({ host: hostOf(i), cluster: 'DC0_C0', rank: i, signal });
        try {
          const state = await compute.vmState({ site: 'rec', vm, signal });
          if (state !== 'on') await compute.powerOn({ site: 'rec', vm, signal });
          const outcome = await compute.waitForTools({ site: 'rec', vm, timeoutMs: 120_000, signal });
          if (outcome !== 'ready') throw new Error(`${vm}: no heartbeat`);
        } finally {
          release();
        }
      }),
    );
    const end = performance.now();
    const calls = await lab.calls();
    const tasks: SchedulableTask[] = names.map((name, i) => ({
      id: name,
      host: hostOf(i),
      cluster: 'DC0_C0',
      dependsOn: [],
      estimateMs: heartbeatDelayMs,
    }));
    const callsByMethod = Object.fromEntries(
      Object.entries(calls).map(([method, byTarget]) => [method, Object.values(byTarget).reduce((a, b) => a + b, 0)]),
    );
    const vcenterCalls = total(calls);
    return {
      vms,
      hosts: hostCount,
      perHostLimit,
      heartbeatDelayMs,
      storageAndRegisterSeconds: (bootStart - start) / 1000,
      bootWallSeconds: (end - bootStart) / 1000,
      bootLowerBoundSeconds: rtoLowerBound([tasks], uniformSlotLimits(perHostLimit, null)) / 1000,
      totalWallSeconds: (end - start) / 1000,
      vcenterCalls,
      callsPerVm: vcenterCalls / vms,
      bootCallsPerVm: (vcenterCalls - total(beforeBoot)) / vms,
      callsByMethod,
      powerOnBatches: compute.powerOnBatchSizes().length,
      vcenterPeakRssMegabytes: peakRssOf(lab.process.pid),
      labStartSeconds,
    };
  } finally {
    await compute.close();
    await lab.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** VmHWM of a process, MB (0 where /proc is not there). */
function peakRssOf(pid: number | undefined): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmHWM:\s+(\d+)\s+kB/.exec(status)?.[1] ?? 0);
    return Math.round(kb / 1024);
  } catch {
    return 0;
  }
}
