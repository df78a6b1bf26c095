import { DsmProtocolError } from './errors.js';

/** DSM's AsyncTask object, as far as the poller needs it. */
export interface AsyncTaskLike {
  objectType?: unknown;
  instanceId?: unknown;
  returnValue?: unknown;
  state?: unknown;
  error?: unknown;
  localizedError?: unknown;
}

const DEFAULT_TASK_PATH = 'ApiConnection/AsyncTask/';
const FAILED_STATES = new Set(['error', 'failed', 'erred', 'aborted']);

export function isAsyncTask(value: unknown): value is AsyncTaskLike {
  return typeof value === 'object' && value !== null && (value as AsyncTaskLike).objectType === 'AsyncTask';
}

/** A task DSM reports as finished in error (as opposed to still running). */
export function asyncTaskFailure(task: AsyncTaskLike): string | undefined {
  const state = typeof task.state === 'string' ? task.state.toLowerCase() : '';
  if (!FAILED_STATES.has(state)) return undefined;
  const text = [task.localizedError, task.error].find((v) => typeof v === 'string' && v.length > 0);
  return typeof text === 'string' ? text : `task ended in state ${String(task.state)}`;
}

/**
 * The path (relative to `/api/rest/`) to poll for a task. DSM has returned a full URL (host and
 * port included: dropped so a proxy still works), a URL without the task id (the id is appended),
 * a blank value (the default task path is used) and XML (refused: nothing sane can be polled).
 */
export function asyncTaskPath(task: AsyncTaskLike): string {
  const id = typeof task.instanceId === 'string' || typeof task.instanceId === 'number' ? String(task.instanceId) : '';
  const raw = typeof task.returnValue === 'string' ? task.returnValue.trim() : '';
  if (raw.startsWith('<')) throw new DsmProtocolError('DSM returned a malformed AsyncTask URL (XML).');
  let path = raw === '' ? DEFAULT_TASK_PATH : stripOrigin(raw);
  path = stripRestPrefix(path);
  if (path === '' || path.endsWith('/')) {
    if (!id) throw new DsmProtocolError('DSM returned an AsyncTask URL without a task id.');
    path = `${path === '' ? DEFAULT_TASK_PATH : path}${encodeURIComponent(id)}`;
  }
  return path;
}

function stripOrigin(url: string): string {
  const match = /^[a-z]+:\/\/[^/]+\/?(.*)$/i.exec(url);
  return match ? match[1]! : url;
}

function stripRestPrefix(path: string): string {
  const trimmed = path.replace(/^\/+/, '');
  const index = trimmed.toLowerCase().indexOf('api/rest/');
  return index >= 0 ? trimmed.slice(index + 'api/rest/'.length) : trimmed;
}
