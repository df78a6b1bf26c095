import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FileStore } from '@drctl/store';
import { checkExitCode, runCheck } from '../src/index.js';

const techsol = resolve(import.meta.dirname, '../../../examples/techsol/environment.yaml');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A copy of techsol whose storage file is edited by `edit`. */
function techsolWith(edit: (storage: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'drctl-check-'));
  dirs.push(dir);
  const from = resolve(techsol, '..');
  for (const f of ['environment.yaml', 'plans.yaml', 'vms.yaml', 'storage.yaml'])
    writeFileSync(
      join(dir, f),
      f === 'storage.yaml' ? edit(readFileSync(join(from, f), 'utf8')) : readFileSync(join(from, f)),
    );
  return join(dir, 'environment.yaml');
}

describe('runCheck', () => {
  it('checks techsol from its file, and live through its array managers’ storage adapters', async () => {
    const staticReport = await runCheck({ environmentPath: techsol });
    expect(staticReport.loaded).toBe(true);
    expect(staticReport.environment).toBe('techsol');
    expect(staticReport.counts.total).toBe(staticReport.findings.length);
    expect(staticReport.live.sources).toEqual([]);

    const live = await runCheck({ environmentPath: techsol, live: true });
    expect(live.live.requested).toBe(true);
    expect(live.live.sources.length).toBeGreaterThan(0);
    expect(live.live.sources.every((s) => s.status === 'ok')).toBe(true);
    // The simulated arrays serve what the file says: nothing differs, nothing is missing.
    expect(live.findings.filter((f) => f.code.startsWith('LIVE_'))).toEqual([]);
    expect(live.findings.filter((f) => f.scope === 'static')).toEqual(staticReport.findings);
  }, 60_000);

  it('reports an environment that does not load as error findings, exit 2', async () => {
    const file = techsolWith((s) => s.replace(/sourceArray: (\S+)/, 'sourceArray: nowhere'));
    const report = await runCheck({ environmentPath: file });
    expect(report.loaded).toBe(false);
    expect(report.findings[0]).toMatchObject({ code: 'ENVIRONMENT_INVALID', severity: 'error' });
    expect(checkExitCode(report.counts)).toBe(2);
  });

  it('judges VMware Tools waits by the heartbeat times earlier runs measured', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'drctl-check-state-'));
    dirs.push(stateDir);
    // An earlier run measured ad01's first heartbeat 400 s after power-on (the file says less).
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1) + s * 1000).toISOString();
    await new FileStore(stateDir).write('runs/r1/report', {
      runId: 'r1',
      plan: 'Protect vcsite1',
      startedAt: at(0),
      vms: [
        {
          name: 'ad01',
          priority: 1,
          host: 'h',
          cluster: 'c',
          status: 'error',
          callouts: [],
          poweredOnAt: at(10),
          toolsReadyAt: at(410),
        },
      ],
    });
    const [fromFile, fromHistory] = await Promise.all([
      runCheck({ environmentPath: techsol }),
      runCheck({ environmentPath: techsol, stateDir }),
    ]);
    const tools = (r: typeof fromFile) => r.findings.filter((f) => f.code === 'TOOLS_WAIT_SHORTER_THAN_BOOT');
    expect(tools(fromFile)).toEqual([]);
    expect(tools(fromHistory)).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/^VM ad01 sends its first VMware Tools heartbeat 400 s after power-on/),
      }),
    ]);
  });

  it('exits 0 for advice only, 1 for warnings, 2 for errors', () => {
    expect(checkExitCode({ error: 0, warning: 0, info: 3, total: 3 })).toBe(0);
    expect(checkExitCode({ error: 0, warning: 1, info: 0, total: 1 })).toBe(1);
    expect(checkExitCode({ error: 1, warning: 1, info: 0, total: 2 })).toBe(2);
  });
});
