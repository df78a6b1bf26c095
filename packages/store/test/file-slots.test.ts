import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { FileSlots } from '../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'drctl-slots-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Another process running `body` with FileSlots imported from this package's source. */
function otherProcess(body: string) {
  return spawn(
    process.execPath,
    [
      '--conditions=@drctl/source',
      '--import',
      join(import.meta.dirname, '../../../test-support/register-ts.mjs'),
      '--input-type=module',
      '-e',
      `const { FileSlots } = await import(${JSON.stringify(join(import.meta.dirname, '../src/index.ts'))});\n${body}`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('FileSlots (several processes on one state folder)', () => {
  it('never lets more than the limit hold a name at once', async () => {
    const slots = new FileSlots(join(root, 'limit'));
    let holding = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        const release = await slots.acquire('storage-commands', 3);
        holding++;
        peak = Math.max(peak, holding);
        await new Promise((resolve) => setTimeout(resolve, 15));
        holding--;
        await release();
      }),
    );
    expect(peak).toBe(3);
  });

  it('frees a released slot for another holder at once, and keeps no file behind', async () => {
    const folder = join(root, 'release');
    const here = new FileSlots(folder);
    const elsewhere = new FileSlots(folder);
    const first = await here.acquire('boot-host/esx2', 1);
    let otherGot = false;
    const other = elsewhere.acquire('boot-host/esx2', 1).then((release) => {
      otherGot = true;
      return release;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(otherGot).toBe(false);
    await first();
    await (
      await other
    )();
    expect(otherGot).toBe(true);
    expect(readdirSync(join(folder, '.slots'))).toEqual([]);
  });

  it('answers tryAcquire at once: a slot while one is free, nothing while all are held', async () => {
    const folder = join(root, 'try');
    const here = new FileSlots(folder);
    const elsewhere = new FileSlots(folder);
    const first = here.tryAcquire('boot-cluster/c1', 2);
    const second = elsewhere.tryAcquire('boot-cluster/c1', 2);
    expect(first).toBeDefined();
    expect(second).toBeDefined();
    expect(here.tryAcquire('boot-cluster/c1', 2)).toBeUndefined();
    expect(elsewhere.tryAcquire('boot-cluster/c1', 2)).toBeUndefined();
    await first!();
    // Releasing twice gives back nothing more (the slot is someone else's by then).
    const third = elsewhere.tryAcquire('boot-cluster/c1', 2);
    expect(third).toBeDefined();
    await first!();
    expect(here.tryAcquire('boot-cluster/c1', 2)).toBeUndefined();
    await second!();
    await third!();
    expect(readdirSync(join(folder, '.slots'))).toEqual([]);
  });

  it('counts the slots another process holds, and frees them when that process dies', async () => {
    const folder = join(root, 'other-process');
    // Another process takes the only slot and keeps it until it is killed.
    const holder = otherProcess(
      `await new FileSlots(${JSON.stringify(folder)}).acquire('boot-host/esx1', 1);
       console.log('held'); setInterval(() => {}, 1000);`,
    );
    await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
    // Alone on the folder, it counts in memory: no slot file yet, only its solo lease.
    expect(readdirSync(join(folder, '.slots'))).toEqual(['solo.lock']);
    const slots = new FileSlots(folder);
    let got = false;
    const waiting = slots.acquire('boot-host/esx1', 1).then((release) => {
      got = true;
      return release;
    });
    await sleep(150);
    expect(got).toBe(false);
    // Asked to share the folder, it wrote the slot it holds as a file and gave the lease up.
    expect(readdirSync(join(folder, '.slots'))).toContain('boot-host%2Fesx1#0.slot');
    expect(readdirSync(join(folder, '.slots'))).not.toContain('solo.lock');
    holder.kill('SIGKILL');
    const release = await waiting;
    expect(got).toBe(true);
    await release();
  });

  it('leaves nothing of a request withdrawn while it waited for another process', async () => {
    const folder = join(root, 'withdrawn');
    const holder = otherProcess(
      `await new FileSlots(${JSON.stringify(folder)}).acquire('boot-host/esx1', 1);
       console.log('held'); setInterval(() => {}, 1000);`,
    );
    try {
      await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
      const slots = new FileSlots(folder);
      await expect(slots.acquire('boot-host/esx1', 1, AbortSignal.timeout(150))).rejects.toThrow();
      const left = readdirSync(join(folder, '.slots'));
      expect(left.filter((name) => name.startsWith(`${process.pid}-`))).toEqual([]);
      expect(left).not.toContain('join.flag');
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('writes no file per slot while one instance has the folder to itself', async () => {
    const folder = join(root, 'solo');
    const slots = new FileSlots(folder);
    const releases = ['boot-host/a', 'boot-host/b', 'boot-cluster/c'].map((name) => slots.tryAcquire(name, 4));
    expect(releases.every((release) => release !== undefined)).toBe(true);
    expect(readdirSync(join(folder, '.slots'))).toEqual(['solo.lock']);
    for (const release of releases) await release!();
    expect(readdirSync(join(folder, '.slots'))).toEqual([]);
  });

  it('hands the count over when a second instance of this process joins, without waiting', async () => {
    const folder = join(root, 'join-here');
    const first = new FileSlots(folder);
    const second = new FileSlots(folder);
    const held = [first.tryAcquire('storage-commands', 2), first.tryAcquire('storage-commands', 2)];
    expect(second.tryAcquire('storage-commands', 2)).toBeUndefined();
    // The first published both slots as files: both are counted by the second too.
    expect(readdirSync(join(folder, '.slots')).filter((name) => name.endsWith('.slot'))).toHaveLength(2);
    await held[0]!();
    const taken = second.tryAcquire('storage-commands', 2);
    expect(taken).toBeDefined();
    expect(first.tryAcquire('storage-commands', 2)).toBeUndefined();
    await held[1]!();
    await taken!();
    expect(readdirSync(join(folder, '.slots'))).toEqual([]);
  });

  it('never lets two processes hold a limit-1 slot at once while they keep joining and leaving', async () => {
    const folder = join(root, 'exclusion');
    const rounds = 30;
    // Each process takes and gives back the slot again and again, idling between, so the folder
    // keeps changing hands between solo and shared; each notes when it held the slot.
    const workers = Array.from({ length: 3 }, () =>
      otherProcess(
        `const slots = new FileSlots(${JSON.stringify(folder)});
         const spans = [];
         const now = () => performance.timeOrigin + performance.now();
         const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
         for (let i = 0; i < ${rounds}; i++) {
           const release = await slots.acquire('storage-commands', 1);
           const from = now();
           await pause(1 + Math.random() * 3);
           spans.push([from, now()]);
           await release();
           await pause(Math.random() * 6);
         }
         console.log(JSON.stringify(spans));`,
      ),
    );
    const outputs = await Promise.all(
      workers.map(
        (worker) =>
          new Promise<string>((resolve, reject) => {
            let text = '';
            worker.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
            worker.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`worker exited ${code}`))));
          }),
      ),
    );
    const spans = outputs.flatMap((text) => JSON.parse(text) as Array<[number, number]>).sort((a, b) => a[0] - b[0]);
    expect(spans).toHaveLength(3 * rounds);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
    expect(readdirSync(join(folder, '.slots'))).toEqual([]);
  }, 30_000);
});
