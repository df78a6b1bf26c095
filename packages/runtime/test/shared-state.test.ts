import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MemoryStore } from '@drctl/store';
import { openWorkspace, readEnvironment } from '../src/index.js';
import { mergeJson } from '../src/shared-state/json-merge.js';
import { SharedDocument } from '../src/shared-state/shared-document.js';

const techsol = resolve(import.meta.dirname, '../../../examples/techsol/environment.yaml');
const answer = { answer: 'continue', by: 'test-suite' };
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const stateDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'drctl-shared-'));
  dirs.push(d);
  return d;
};

/** Every file under a folder with its modification time: what "writes nothing" is checked against. */
function fileTimes(dir: string): Record<string, number> {
  const out: Record<string, number> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[p] = statSync(p).mtimeMs;
    }
  };
  walk(dir);
  return out;
}

describe('three-way merge of shared JSON', () => {
  it('keeps what each side changed: records by identity, appends from both, scalars from the changer', () => {
    const base = {
      n: 1,
      vms: [
        { vm: 'a', on: false },
        { vm: 'b', on: false },
      ],
      log: [1],
      t: 5,
    };
    const ours = {
      n: 1,
      vms: [
        { vm: 'a', on: true },
        { vm: 'b', on: false },
      ],
      log: [1, 2],
      t: 9,
    };
    const theirs = {
      n: 2,
      vms: [
        { vm: 'b', on: true },
        { vm: 'c', on: true },
      ],
      log: [1, 3],
      t: 5,
    };
    expect(mergeJson(base, ours, theirs)).toEqual({
      n: 2,
      // b: only they changed it; c: they added it; a: they removed it but we changed it, so it stays.
      vms: [
        { vm: 'b', on: true },
        { vm: 'c', on: true },
        { vm: 'a', on: true },
      ],
      log: [1, 3, 2],
      t: 9,
    });
  });

  it('never writes a stale whole copy: two processes save in turn and both changes stay', async () => {
    const store = new MemoryStore();
    await store.write('doc', { a: 0, b: 0 });
    const first = new SharedDocument<{ a: number; b: number }>(store, 'doc');
    const second = new SharedDocument<{ a: number; b: number }>(store, 'doc');
    const mine = (await first.load())!;
    const yours = (await second.load())!;
    await first.save({ ...mine, a: 1 });
    await second.save({ ...yours, b: 1 });
    expect(await store.read('doc')).toEqual({ a: 1, b: 1 });
    // And again from the first, which never saw b change: b stays.
    await first.save({ ...mine, a: 2 });
    expect(await store.read('doc')).toEqual({ a: 2, b: 1 });
  });
});

describe('processes sharing a state folder (issue 14 §3)', () => {
  it('tests two plans at once in one folder, and each cleanup finds its test copy', async () => {
    const dir = stateDir();
    const [p1, p2] = readEnvironment(techsol).plans.map((p) => p.name);
    const one = await openWorkspace({ environmentPath: techsol, stateDir: dir, autoAnswer: answer });
    const two = await openWorkspace({ environmentPath: techsol, stateDir: dir, autoAnswer: answer });
    const tests = await Promise.all([
      one.drive(one.engine.start({ plan: p1!, workflow: 'test' })).then((h) => one.drive(h.done)),
      two.drive(two.engine.start({ plan: p2!, workflow: 'test' })).then((h) => two.drive(h.done)),
    ]);
    await Promise.all([one.close(), two.close()]);
    expect(tests.map((t) => t.result)).toEqual(['success', 'success']);

    const next = await openWorkspace({ environmentPath: techsol, stateDir: dir, autoAnswer: answer });
    for (const plan of [p1!, p2!]) {
      const cleanup = await next.drive(
        next.drive(next.engine.start({ plan, workflow: 'cleanup' })).then((h) => h.done),
      );
      expect({ plan, result: cleanup.result, notes: cleanup.notes }).toEqual({ plan, result: 'success', notes: [] });
    }
    await next.close();
  }, 120_000);

  it('a long-lived process (serve) sees a run another process made, and never writes back its stale world', async () => {
    const dir = stateDir();
    const [plan] = readEnvironment(techsol).plans.map((p) => p.name);
    const server = await openWorkspace({ environmentPath: techsol, stateDir: dir, autoAnswer: answer });
    // A CLI run in between: the test copies exist only in the folder, not in the server's memory.
    const cli = await openWorkspace({ environmentPath: techsol, stateDir: dir, autoAnswer: answer });
    const test = await cli.drive(cli.drive(cli.engine.start({ plan: plan!, workflow: 'test' })).then((h) => h.done));
    await cli.close();
    expect(test.result).toBe('success');

    const cleanup = await server.drive(
      server.drive(server.engine.start({ plan: plan!, workflow: 'cleanup' })).then((h) => h.done),
    );
    expect({ result: cleanup.result, notes: cleanup.notes }).toEqual({ result: 'success', notes: [] });
    await server.close();
  }, 120_000);

  it('a process that only looked (status, cancel of a run elsewhere) writes nothing back', async () => {
    const dir = stateDir();
    const [plan] = readEnvironment(techsol).plans.map((p) => p.name);
    const first = await openWorkspace({ environmentPath: techsol, stateDir: dir, autoAnswer: answer });
    await first.close();
    const onlooker = await openWorkspace({ environmentPath: techsol, stateDir: dir, autoAnswer: answer });
    await onlooker.engine.plans();

    const runner = await openWorkspace({ environmentPath: techsol, stateDir: dir, autoAnswer: answer });
    const migration = await runner.drive(
      runner.drive(runner.engine.start({ plan: plan!, workflow: 'planned-migration' })).then((h) => h.done),
    );
    await runner.close();
    expect(migration.result).toBe('success');
    const before = fileTimes(dir);
    // The onlooker loaded the world before the migration; closing it must not put that world back.
    await onlooker.close();
    expect(fileTimes(dir)).toEqual(before);
    const check = await openWorkspace({ environmentPath: techsol, stateDir: dir, readOnly: true });
    const device = check.world?.snapshot().devices[0];
    expect(device?.targetPromoted).toBe(true);
    await check.close();
  }, 120_000);
});
