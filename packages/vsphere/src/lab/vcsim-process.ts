import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { undici } from '../soap/undici.js';

// The lab's vCenter: tools/vcsim (govmomi's simulator with drctl's extensions), built from the
// repository by scripts/build-vcsim.sh. For tests and a lab, not for production.

let binary: string | undefined;

/**
 * The lab vCenter's binary: `DRCTL_VCSIM` if set, else built (or found cached) by the repository's
 * scripts/build-vcsim.sh — the first build takes about a minute, later calls ~0.1 s.
 */
export function labVcenterBinary(): string {
  if (binary) return binary;
  const fromEnv = process.env.DRCTL_VCSIM;
  if (fromEnv) return (binary = fromEnv);
  // packages/vsphere/src/lab (or dist/lab) → the repository root.
  const root = fileURLToPath(new URL('../../../../', import.meta.url));
  const lines = execFileSync('bash', [`${root}scripts/build-vcsim.sh`], { encoding: 'utf8' })
    .trim()
    .split('\n');
  const built = lines[lines.length - 1];
  if (!built) throw new Error('scripts/build-vcsim.sh printed no binary path');
  return (binary = built);
}

/** A running lab vCenter: where it listens, its certificate, and its control endpoint. */
export interface LabVcenter {
  host: string;
  port: number;
  thumbprint: string;
  certPem: string;
  process: ChildProcess;
  calls(): Promise<Record<string, Record<string, number>>>;
  addFaults(faults: { method: string; target?: string; fault: string; times?: number }[]): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts one lab vCenter on a free loopback port with the given flags (see tools/vcsim/main.go)
 * and waits until it listens. Its certificate goes to `certOut`, its log to `certOut.log`.
 */
export async function startLabVcenter(args: string[], certOut: string): Promise<LabVcenter> {
  const child = spawn(labVcenterBinary(), ['-listen', '127.0.0.1:0', '-cert-out', certOut, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
    // The server's own log, beside its certificate, for when a test fails.
    appendFileSync(`${certOut}.log`, d);
  });
  const facts = await new Promise<Record<string, string>>((resolve, reject) => {
    let out = '';
    const found: Record<string, string> = {};
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      for (const line of out.split('\n')) {
        const eq = line.indexOf('=');
        if (eq > 0) found[line.slice(0, eq)] = line.slice(eq + 1);
        if (line === 'VCSIM_READY') resolve(found);
      }
    });
    child.once('exit', (code) => reject(new Error(`vcsim exited (${code}): ${stderr}`)));
  });
  const address = facts.VCSIM_URL;
  const thumbprint = facts.VCSIM_THUMBPRINT;
  if (!address || !thumbprint) throw new Error('the lab vCenter did not say where it listens');
  const url = new URL(address);
  const certPem = readFileSync(certOut, 'utf8');
  const { Agent, request } = undici();
  const agent = new Agent({ connect: { ca: certPem } });
  const base = `https://127.0.0.1:${url.port}`;
  return {
    host: '127.0.0.1',
    port: Number(url.port),
    thumbprint,
    certPem,
    process: child,
    async calls() {
      const res = await request(`${base}/lab/calls`, { dispatcher: agent });
      return (await res.body.json()) as Record<string, Record<string, number>>;
    },
    async addFaults(faults) {
      const res = await request(`${base}/lab/faults`, {
        method: 'POST',
        body: JSON.stringify(faults),
        dispatcher: agent,
      });
      await res.body.text();
      if (res.statusCode !== 204) throw new Error(`faults refused: ${res.statusCode}`);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await agent.close();
    },
  };
}
