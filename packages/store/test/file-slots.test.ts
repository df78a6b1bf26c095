import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { FileSlots } from '../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'drctl-slots-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

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
    const holder = spawn(
      process.execPath,
      [
        '--conditions=@drctl/source',
        '--import',
        join(import.meta.dirname, '../../../test-support/register-ts.mjs'),
        '--input-type=module',
        '-e',
        `const { FileSlots } = await import(${JSON.stringify(join(import.meta.dirname, '../src/index.ts'))});
         await new FileSlots(${JSON.stringify(folder)}).acquire('boot-host/esx1', 1);
         console.log('held'); setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
    const slots = new FileSlots(folder);
    let got = false;
    const waiting = slots.acquire('boot-host/esx1', 1).then((release) => {
      got = true;
      return release;
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(got).toBe(false);
    holder.kill('SIGKILL');
    const release = await waiting;
    expect(got).toBe(true);
    await release();
  });
});
