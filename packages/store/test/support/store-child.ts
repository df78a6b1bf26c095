// A child process for the crash and lock tests. Usage:
//   store-child.ts append-then-kill <root> <count> <always|never>
//   store-child.ts hold-lock <root> <name>        (prints "locked", releases on a line on stdin)
//   store-child.ts lock-then-kill <root> <name>
//   store-child.ts increment <root> <count>         (update()s the key counter `count` times)
import { FileStore } from '../../src/index.js';

const [mode, root, arg, fsync] = process.argv.slice(2);

async function main(): Promise<void> {
  const store = new FileStore(root!, { fsync: fsync === 'never' ? 'never' : 'always' });
  if (mode === 'append-then-kill') {
    const count = Number(arg);
    for (let i = 0; i < count; i++) await store.append('runs/crash/journal', { i, step: 'power-on', vm: `vm-${i}` });
    await store.write('runs/crash/snapshot', { appended: count });
    // No graceful exit: nothing gets a chance to flush anything after the last append resolved.
    process.kill(process.pid, 'SIGKILL');
    return;
  }
  if (mode === 'hold-lock') {
    const release = await store.lock(arg!);
    process.stdout.write('locked\n');
    process.stdin.once('data', () => {
      void release().then(() => {
        process.stdout.write('released\n');
        process.exit(0);
      });
    });
    return;
  }
  if (mode === 'lock-then-kill') {
    await store.lock(arg!);
    process.stdout.write('locked\n');
    process.kill(process.pid, 'SIGKILL');
    return;
  }
  if (mode === 'increment') {
    for (let i = 0; i < Number(arg); i++) await store.update<number>('shared/counter', (n) => (n ?? 0) + 1);
    process.stdout.write('done\n');
    return;
  }
  throw new Error(`unknown mode ${String(mode)}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error).stack ?? error)}\n`);
  process.exit(2);
});
