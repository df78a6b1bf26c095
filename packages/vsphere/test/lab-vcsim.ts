import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';

const root = fileURLToPath(new URL('../../..', import.meta.url));

let binary: string | undefined;

/** Builds tools/vcsim once per test process (a cached binary is reused: ~0.1 s). */
export function vcsimBinary(): string {
  binary ??= execFileSync('bash', [`${root}scripts/build-vcsim.sh`], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .pop()!;
  return binary;
}

export interface RunningVcsim {
  host: string;
  port: number;
  thumbprint: string;
  certPem: string;
  process: ChildProcess;
  calls(): Promise<Record<string, Record<string, number>>>;
  addFaults(faults: { method: string; target?: string; fault: string; times?: number }[]): Promise<void>;
  stop(): Promise<void>;
}

/** Starts one vcsim on a free port and waits for VCSIM_READY. */
export async function startVcsim(args: string[], certOut: string): Promise<RunningVcsim> {
  const child = spawn(vcsimBinary(), ['-listen', '127.0.0.1:0', '-cert-out', certOut, ...args], {
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
  const url = new URL(facts.VCSIM_URL!);
  const certPem = readFileSync(certOut, 'utf8');
  const agent = new Agent({ connect: { ca: certPem } });
  const base = `https://127.0.0.1:${url.port}`;
  return {
    host: '127.0.0.1',
    port: Number(url.port),
    thumbprint: facts.VCSIM_THUMBPRINT!,
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
