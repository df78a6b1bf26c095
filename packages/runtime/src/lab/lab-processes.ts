import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

/** A lab server started in the background: it outlives the `drctl lab up` that started it. */
export interface LabProcess {
  pid: number;
  log: string;
}

/**
 * Starts `command` detached (its own process group, output appended to `log`) and waits until
 * `ready(log text)` finds what it needs, or the process exits, or `timeoutMs` passes.
 */
export async function startDetached<T>(
  command: string,
  args: string[],
  log: string,
  ready: (output: string) => T | undefined,
  timeoutMs = 60_000,
): Promise<LabProcess & { facts: T }> {
  const fd = openSync(log, 'a');
  const start = readFileSync(log, 'utf8').length;
  const child = spawn(command, args, { detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${command} did not start`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const output = readFileSync(log, 'utf8').slice(start);
    const facts = ready(output);
    if (facts !== undefined) return { pid, log, facts };
    if (exited !== undefined || Date.now() > deadline) {
      stopProcess(pid);
      throw new Error(
        `${command} ${exited !== undefined ? `exited (${exited})` : 'did not get ready'}; its log ${log} ends: ${output.slice(-600)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL if it has not gone after `graceMs`. Resolves once it is gone. */
export async function stopProcess(pid: number, graceMs = 5000): Promise<void> {
  if (!isAlive(pid)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (isAlive(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}
