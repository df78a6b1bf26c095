import type { Clock } from '@drctl/domain';
import type { VimClient } from '../soap/client.js';
import { faultFromTaskError } from '../soap/faults.js';
import { child, moref, text, type MoRef, type XmlNode } from '../soap/xml.js';
import type { PropertyWatch } from './watch.js';

/** Starts a `*_Task` method and returns its task. */
export async function startTask(
  client: VimClient,
  method: string,
  self: MoRef,
  args: string,
  signal: AbortSignal,
): Promise<MoRef> {
  const res = await client.call(method, self, args, { signal, read: false });
  const task = moref(child(res, 'returnval'));
  if (!task) throw new Error(`${method} returned no task`);
  return task;
}

/**
 * Waits for a task through the site's property watch (one read per interval for every task and
 * VM being watched); resolves with `info.result`, rejects with the task's fault.
 */
export async function waitTask(
  watch: PropertyWatch,
  task: MoRef,
  method: string,
  object: MoRef,
  signal: AbortSignal,
): Promise<XmlNode | undefined> {
  const info = await watch.until(
    task,
    ['info.state', 'info.error', 'info.result'],
    (props) => {
      const state = text(props.get('info.state'));
      return state === 'success' || state === 'error' ? props : undefined;
    },
    signal,
  );
  const error = info.get('info.error');
  if (text(info.get('info.state')) === 'error' && error !== undefined) throw faultFromTaskError(error, method, object);
  return info.get('info.result');
}

export async function runTask(
  client: VimClient,
  watch: PropertyWatch,
  method: string,
  self: MoRef,
  args: string,
  signal: AbortSignal,
  object: MoRef = self,
): Promise<XmlNode | undefined> {
  const task = await startTask(client, method, self, args, signal);
  return waitTask(watch, task, method, object, signal);
}

export type { Clock };
