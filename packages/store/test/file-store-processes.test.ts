import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDrError } from '@drctl/domain';
import { FileStore } from '../src/index.js';
import { startStoreChild, waitForExit, waitForLine } from './support/child.js';

const roots: string[] = [];
function freshRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'drctl-store-proc-'));
  roots.push(root);
  return root;
}
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function writeLockFile(root: string, name: string, holder: Record<string, unknown>): void {
  mkdirSync(join(root, '.locks/plans'), { recursive: true });
  writeFileSync(join(root, `.locks/${name}.lock`), JSON.stringify(holder));
}

describe('FileStore durability across a SIGKILL', () => {
  it.each(['always', 'never'] as const)(
    'keeps every acknowledged append when the writer is killed (fsync %s)',
    async (fsync) => {
      const root = freshRoot();
      const count = fsync === 'always' ? 300 : 3000;
      const result = await waitForExit(startStoreChild(['append-then-kill', root, String(count), fsync]));
      expect(result.stderr).toBe('');
      expect(result.signal).toBe('SIGKILL');
      const store = new FileStore(root);
      const log = await store.readLog<{ i: number }>('runs/crash/journal');
      expect(log.map((e) => e.i)).toEqual([...Array(count).keys()]);
      expect(await store.read('runs/crash/snapshot')).toEqual({ appended: count });
      // The log keeps working after the crash.
      await store.append('runs/crash/journal', { i: count });
      expect(await store.readLog('runs/crash/journal')).toHaveLength(count + 1);
    },
  );
});

describe('FileStore lock across processes', () => {
  it('refuses a lock another live process holds, naming it, and grants it once released', async () => {
    const root = freshRoot();
    const child = startStoreChild(['hold-lock', root, 'plans/p1']);
    const exited = waitForExit(child);
    await waitForLine(child, 'locked');
    const store = new FileStore(root);
    const error = await store.lock('plans/p1').catch((e: unknown) => e);
    expect(isDrError(error) && error.code).toBe('DR_OPERATION_REFUSED');
    expect((error as Error).message).toContain(`process ${child.pid}`);
    expect(isDrError(error) && error.details['pid']).toBe(child.pid);

    // Waiting works across processes too: ask the child to release while we wait.
    const waiting = store.lock('plans/p1', { waitMs: 10_000, pollMs: 20 });
    child.stdin.write('release\n');
    const release = await waiting;
    expect((await exited).stdout).toContain('released');
    const holder = JSON.parse(readFileSync(join(root, '.locks/plans/p1.lock'), 'utf8')) as { pid: number };
    expect(holder.pid).toBe(process.pid);
    await release();
  });

  it('takes over a lock whose holder was killed (stale lock)', async () => {
    const root = freshRoot();
    const child = startStoreChild(['lock-then-kill', root, 'plans/p1']);
    const result = await waitForExit(child);
    expect(result.signal).toBe('SIGKILL');
    expect(result.stdout).toContain('locked');
    const store = new FileStore(root);
    const release = await store.lock('plans/p1');
    const holder = JSON.parse(readFileSync(join(root, '.locks/plans/p1.lock'), 'utf8')) as { pid: number };
    expect(holder.pid).toBe(process.pid);
    await release();
  });

  it('treats a lock with our own pid but not taken by us as stale (pid reused after a restart)', async () => {
    const root = freshRoot();
    writeLockFile(root, 'plans/p1', {
      pid: process.pid,
      hostname: hostname(),
      token: 'from-a-previous-life',
      acquiredAt: '2026-01-01T00:00:00Z',
    });
    const release = await new FileStore(root).lock('plans/p1');
    await release();
  });

  it('treats a lock as stale when its pid now belongs to a process that started later', async () => {
    const root = freshRoot();
    // Our parent process is alive, but the recorded start time does not match it.
    writeLockFile(root, 'plans/p1', {
      pid: process.ppid,
      hostname: hostname(),
      token: 't',
      acquiredAt: '2026-01-01T00:00:00Z',
      processStart: '1',
    });
    const release = await new FileStore(root).lock('plans/p1');
    await release();
  });

  it('presumes held a lock of a live process, and one taken on another host', async () => {
    const root = freshRoot();
    const store = new FileStore(root);
    writeLockFile(root, 'plans/p1', {
      pid: process.ppid,
      hostname: hostname(),
      token: 't',
      acquiredAt: '2026-01-01T00:00:00Z',
    });
    await expect(store.lock('plans/p1')).rejects.toMatchObject({ code: 'DR_OPERATION_REFUSED' });
    writeLockFile(root, 'plans/p2', {
      pid: 999_999_999,
      hostname: `not-${hostname()}`,
      token: 't',
      acquiredAt: '2026-01-01T00:00:00Z',
    });
    await expect(store.lock('plans/p2')).rejects.toMatchObject({
      code: 'DR_OPERATION_REFUSED',
      message: expect.stringContaining(`not-${hostname()}`),
    });
  });

  it('does not remove a lock on release once another process has taken it over', async () => {
    const root = freshRoot();
    const store = new FileStore(root);
    const release = await store.lock('plans/p1');
    const other = {
      pid: process.ppid,
      hostname: hostname(),
      token: 'someone-else',
      acquiredAt: '2026-01-01T00:00:00Z',
    };
    writeLockFile(root, 'plans/p1', other);
    await release();
    expect(JSON.parse(readFileSync(join(root, '.locks/plans/p1.lock'), 'utf8'))).toEqual(other);
  });
});

describe('FileStore update across processes (issue 14 §3)', () => {
  it('loses no update when three processes update one document at once', async () => {
    const root = freshRoot();
    const children = [0, 1, 2].map(() => startStoreChild(['increment', root, '40', 'never']));
    const results = await Promise.all(children.map((c) => waitForExit(c)));
    for (const r of results) expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(await new FileStore(root).read('shared/counter')).toBe(120);
  });
});
