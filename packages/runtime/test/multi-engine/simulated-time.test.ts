import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunReport } from '@drctl/domain';
import { generateEnvironment } from '@drctl/simulator';
import { createScratchDatabase, type ScratchDatabase } from '@drctl/store-postgres';
import { openWorkspace } from '../../src/index.js';

// A simulated recovery on a PostgreSQL store must take the simulated time the same recovery takes
// in memory: the database's answers are real time, which the virtual clock holds still for. (It
// did not for the shared boot slots' transactions: virtual time ran on while a VM waited for the
// database to grant its slot, and the boot phase took twice as long on PostgreSQL. Then a request
// that came during a transaction waited out a pause before it was tried, and the first VMs of a
// step waited for the first boot to end: power-on-priority-1 took 13 % longer.)

let database: ScratchDatabase;
let dir: string;
let environmentPath: string;
let plan: string;

beforeAll(async () => {
  const url = process.env['DRCTL_TEST_PG_URL'];
  if (!url) throw new Error('DRCTL_TEST_PG_URL is not set: jest globalSetup did not start PostgreSQL.');
  database = await createScratchDatabase(url, 'drctl_test');
  dir = mkdtempSync(join(tmpdir(), 'drctl-simulated-time-'));
  // Boot limits that bind (2 per host, 8 per cluster): the slots are taken and given back all run long.
  const generated = generateEnvironment({
    vms: 300,
    hosts: 24,
    clusters: 4,
    datastores: 12,
    dependencies: 0.2,
    hostLimit: 2,
    clusterLimit: 8,
    seed: 5,
  });
  environmentPath = join(dir, 'environment.json');
  writeFileSync(environmentPath, JSON.stringify(generated));
  plan = generated.plans![0]!.name;
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await database.drop();
});

async function disasterRecovery(store: { inMemory: true } | { store: string }): Promise<RunReport> {
  const ws = await openWorkspace({ environmentPath, stateDir: join(dir, 'state'), seed: 7, ...store });
  try {
    const handle = await ws.drive(ws.engine.start({ plan, workflow: 'disaster-recovery' }));
    return await ws.drive(handle.done);
  } finally {
    await ws.close();
  }
}

const lasted = (from: string, to: string | undefined) => Date.parse(to!) - Date.parse(from);

describe('simulated time on a PostgreSQL store', () => {
  it('a disaster recovery takes the simulated time it takes in memory, step by step', async () => {
    const inMemory = await disasterRecovery({ inMemory: true });
    const onPostgres = await disasterRecovery({ store: database.url });
    expect(onPostgres.result).toBe(inMemory.result);

    const total = lasted(inMemory.startedAt, inMemory.finishedAt);
    expect(total).toBeGreaterThan(10 * 60_000);
    // Within 1 % (the same to the millisecond here): the engine's own records are written with
    // no clock holding still for them, at step ends, where little else is pending.
    expect(Math.abs(lasted(onPostgres.startedAt, onPostgres.finishedAt) - total)).toBeLessThanOrEqual(0.01 * total);
    for (const step of inMemory.steps.filter((s) => s.target === undefined && s.id.startsWith('power-on'))) {
      const same = onPostgres.steps.find((s) => s.target === undefined && s.id === step.id)!;
      const took = lasted(step.startedAt!, step.finishedAt);
      expect(Math.abs(lasted(same.startedAt!, same.finishedAt) - took)).toBeLessThanOrEqual(
        Math.max(5_000, 0.03 * took),
      );
    }
  }, 120_000);
});
