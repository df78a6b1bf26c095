import type { ChildProcess } from 'node:child_process';

/**
 * Sends `signal` to the command and everything it started. Commands are spawned as the leader of
 * their own process group (`detached`), so signalling the negative pid reaches the whole group —
 * a shell script's children included. Where groups do not exist (Windows), the process alone.
 */
export function signalProcessTree(child: ChildProcess, signal: NodeJS.Signals): void {
  const pid = child.pid;
  if (pid === undefined) return;
  if (process.platform !== 'win32') {
    try {
      process.kill(-pid, signal);
      return;
    } catch {
      // The group is gone (or was never created): fall back to the process itself.
    }
  }
  try {
    child.kill(signal);
  } catch {
    // Already exited.
  }
}
