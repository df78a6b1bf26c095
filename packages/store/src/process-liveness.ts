import { readFileSync } from 'node:fs';

interface ProcStat {
  state: string;
  startTicks: string;
}

/** Reads /proc/<pid>/stat (Linux); undefined where /proc is not available. */
function readProcStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may itself contain spaces or ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); starttime is field 22.
  const state = fields[0];
  const startTicks = fields[19];
  if (state === undefined || startTicks === undefined) return undefined;
  return { state, startTicks };
}

/**
 * When a process started (clock ticks since boot, Linux only). Recorded in lock files so a pid
 * that was reused by an unrelated process after a crash is not mistaken for the lock holder —
 * common in containers, where drctl often runs with the same small pid every time.
 */
export function processStartMarker(pid: number = process.pid): string | undefined {
  return readProcStat(pid)?.startTicks;
}

/** Whether `pid` is a live process (and, when `startMarker` is known, still the same process). */
export function isProcessAlive(pid: number, startMarker?: string): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = readProcStat(pid);
  if (stat === undefined) return true;
  // A zombie has died and only waits for its parent to collect the exit status.
  if (stat.state === 'Z' || stat.state === 'X') return false;
  return startMarker === undefined || stat.startTicks === startMarker;
}
