import { readFileSync } from 'node:fs';

/**
 * A running process as the tests see it: its pid plus its start time (Linux), because on a busy
 * machine pids wrap around quickly and a pid that just died can belong to a new process within
 * milliseconds.
 */
export interface ProcessIdentity {
  pid: number;
  startTicks: string | undefined;
}

function procStat(pid: number): { state: string; startTicks: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0]!, startTicks: fields[19]! };
  } catch {
    return undefined;
  }
}

/** Identifies a process that is running now. */
export function identify(pid: number): ProcessIdentity {
  return { pid, startTicks: procStat(pid)?.startTicks };
}

/** Whether that very process still runs (a zombie — dead, waiting to be reaped — counts as gone). */
export function isRunning(identity: ProcessIdentity): boolean {
  try {
    process.kill(identity.pid, 0);
  } catch {
    return false;
  }
  const stat = procStat(identity.pid);
  if (stat === undefined) return true;
  if (stat.state === 'Z' || stat.state === 'X') return false;
  return identity.startTicks === undefined || stat.startTicks === identity.startTicks;
}
