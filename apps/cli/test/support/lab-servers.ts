import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LabServer, LabState } from '@drctl/runtime';

/** vim25 calls that reached a lab vCenter, by method and target name (its /lab/calls). */
export type VcenterCalls = Record<string, Record<string, number>>;

export interface DsmCall {
  method: string;
  resource: string;
  action: string;
  object: string;
  count: number;
}

function fetchJson(url: string, options: { method?: string; caFile?: string } = {}): Promise<unknown> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      {
        method: options.method ?? 'GET',
        ...(options.caFile ? { ca: readFileSync(options.caFile, 'utf8') } : {}),
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => {
          if ((res.statusCode ?? 500) >= 300) reject(new Error(`${url}: ${res.statusCode} ${body}`));
          else resolve(body === '' ? undefined : JSON.parse(body));
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** The servers of a lab `drctl lab up --json` started, and what they counted. */
export class LabServers {
  constructor(readonly state: LabState) {}

  server(name: string): LabServer {
    const found = this.state.servers.find((s) => s.name === name);
    if (!found) throw new Error(`no lab server ${name}`);
    return found;
  }

  vcenter(site: string): LabServer {
    return this.server(`vcenter-${site}`);
  }

  async vcenterCalls(site: string): Promise<VcenterCalls> {
    const vc = this.vcenter(site);
    return (await fetchJson(`${vc.controlUrl}/calls`, { caFile: vc.caFile })) as VcenterCalls;
  }

  /** The Data Collector's state-changing calls since the last reset. */
  async dsmCalls(): Promise<DsmCall[]> {
    const body = (await fetchJson(`${this.server('dsm-simulator').controlUrl}/counters`)) as { calls: DsmCall[] };
    return body.calls;
  }

  async resetDsmCalls(): Promise<void> {
    await fetchJson(`${this.server('dsm-simulator').controlUrl}/counters/reset`, { method: 'POST' });
  }

  async dsmAdmin(path: string): Promise<void> {
    await fetchJson(`${this.server('dsm-simulator').controlUrl}${path}`, { method: 'POST' });
  }
}

/** What was called between two readings of /lab/calls. */
export function callsSince(before: VcenterCalls, after: VcenterCalls): VcenterCalls {
  const delta: VcenterCalls = {};
  for (const [method, targets] of Object.entries(after)) {
    for (const [target, count] of Object.entries(targets)) {
      const n = count - (before[method]?.[target] ?? 0);
      if (n > 0) (delta[method] ??= {})[target] = n;
    }
  }
  return delta;
}

export function total(calls: Record<string, number> | undefined): number {
  return Object.values(calls ?? {}).reduce((a, b) => a + b, 0);
}
