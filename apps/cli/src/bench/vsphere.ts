import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { VsphereMeasurement } from './vsphere-child.js';

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'vsphere-child.js');

/** VMs recovered through the vSphere adapter against the lab vCenter. */
export const VSPHERE_BENCH_VMS = 1000;

/** Runs the vSphere recovery in a fresh node process (its own peak RSS). */
export function measureVsphere(vms: number = VSPHERE_BENCH_VMS): Promise<VsphereMeasurement> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [CHILD, String(vms)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.on('error', reject);
    proc.on('close', (code) => {
      if (code !== 0) reject(new Error(`bench vsphere child (${vms} VMs) exited ${code}`));
      else resolve(JSON.parse(out.trim().split('\n').pop()!) as VsphereMeasurement);
    });
  });
}

const s = (n: number) => `${n.toFixed(1)} s`;

/** One line for the verdicts. */
export function vsphereVerdict(m: VsphereMeasurement): string {
  return `- vSphere adapter against the lab vCenter (vcsim): ${m.vms.toLocaleString('en-US')} VMs booted in **${s(m.bootWallSeconds)}** against a lower bound of ${s(m.bootLowerBoundSeconds)} (${(m.bootWallSeconds / m.bootLowerBoundSeconds).toFixed(2)}×) for ${m.perHostLimit} boot slots on each of ${m.hosts} hosts and the lab's ${m.heartbeatDelayMs} ms heartbeat delay; **${m.callsPerVm.toFixed(2)}** vCenter calls per recovered VM (${m.bootCallsPerVm.toFixed(2)} for power-on and heartbeat), counted by vcsim`;
}

/** Markdown table of the vSphere measurement. */
export function vsphereTable(m: VsphereMeasurement): string {
  const methods = Object.entries(m.callsByMethod)
    .sort((a, b) => b[1] - a[1])
    .map(([method, n]) => `${method} ${n}`)
    .join(', ');
  return [
    '| vSphere recovery (vcsim) | value |',
    '|---|---:|',
    `| VMs | ${m.vms.toLocaleString('en-US')} |`,
    `| rescans + resignature + registration (wall) | ${s(m.storageAndRegisterSeconds)} |`,
    `| boot phase, first power-on → last heartbeat (wall) | **${s(m.bootWallSeconds)}** |`,
    `| boot lower bound (${m.hosts} hosts × ${m.perHostLimit} slots, ${m.heartbeatDelayMs} ms heartbeat) | ${s(m.bootLowerBoundSeconds)} |`,
    `| whole recovery at the recovery site (wall) | ${s(m.totalWallSeconds)} |`,
    `| vCenter calls (counted by vcsim) | ${m.vcenterCalls.toLocaleString('en-US')} |`,
    `| vCenter calls per VM (boot phase alone) | **${m.callsPerVm.toFixed(2)}** (${m.bootCallsPerVm.toFixed(2)}) |`,
    `| PowerOnMultiVM_Task batches | ${m.powerOnBatches} |`,
    `| peak RSS: drctl / the lab vCenter | ${m.drctlPeakRssMegabytes} MB / ${m.vcenterPeakRssMegabytes} MB |`,
    '',
    `Calls by method: ${methods}.`,
  ].join('\n');
}
