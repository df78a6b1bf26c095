import type { Clock } from '@drctl/domain';
import type { JsonObject } from '../protocol/body.js';
import { isoDateString } from '../protocol/format.js';
import type { Reply } from '../routes/reply.js';
import type { AsyncUrlVariant } from './faults.js';

interface Task {
  id: string;
  objectTypeName: string;
  methodName: string;
  userName: string;
  storageCenter: number;
  startedAt: number;
  /** Polls still to answer with the running AsyncTask before the result. */
  pollsLeft: number;
  /** Clock time from which the task is done. */
  doneAt: number;
  result: Reply;
}

export interface AsyncTaskSettings {
  /** Polls that see `state: "Running"` before the result. */
  runningPolls: number;
  /** Clock milliseconds a task runs before its result is available. */
  durationMs: number;
}

/** Finished tasks kept for late polls; older ones are forgotten first. */
const MAX_TASKS = 10_000;

/**
 * Async calls (`async: true`): the call runs at once, the client gets 202 and an AsyncTask, and
 * `GET ApiConnection/AsyncTask/{id}` answers the AsyncTask while it runs and then the call's
 * own answer (status and body), as Cinder's `_wait_for_async_complete` expects.
 */
export class AsyncTaskRegistry {
  private readonly tasks = new Map<string, Task>();
  private lastId = 0;

  constructor(
    private readonly clock: Clock,
    private readonly settings: AsyncTaskSettings,
  ) {}

  start(input: {
    objectTypeName: string;
    methodName: string;
    userName: string;
    storageCenter: number;
    result: Reply;
  }): string {
    const now = this.clock.now();
    // Ids look like real ones (a millisecond timestamp) and never repeat.
    this.lastId = Math.max(this.lastId + 1, now);
    const id = String(this.lastId);
    this.tasks.set(id, {
      id,
      ...input,
      startedAt: now,
      pollsLeft: this.settings.runningPolls,
      doneAt: now + this.settings.durationMs,
    });
    if (this.tasks.size > MAX_TASKS) this.tasks.delete(this.tasks.keys().next().value!);
    return id;
  }

  /** The AsyncTask JSON; `returnValue` is the full polling URL unless a fault mangles it. */
  describe(id: string, origin: string, variant?: AsyncUrlVariant): JsonObject | undefined {
    const task = this.tasks.get(id);
    if (!task) return undefined;
    const url = `${origin}/api/rest/ApiConnection/AsyncTask/${task.id}`;
    const body: JsonObject = {
      state: 'Running',
      methodName: task.methodName,
      error: '',
      started: true,
      userName: task.userName,
      localizedError: '',
      storageCenter: task.storageCenter,
      errorState: 'None',
      successful: false,
      stepMessage: `Running Method [Object: ${task.objectTypeName}] [Method: ${task.methodName}]`,
      localizedStepMessage: '',
      warningList: [],
      totalSteps: 2,
      currentStep: 1,
      timeStarted: isoDateString(task.startedAt),
      timeFinished: isoDateString(0),
      objectTypeName: task.objectTypeName,
      objectType: 'AsyncTask',
      instanceName: task.id,
      instanceId: task.id,
    };
    switch (variant) {
      case 'no-id':
        body['returnValue'] = url.slice(0, url.length - task.id.length);
        break;
      case 'blank':
        body['returnValue'] = '';
        break;
      case 'absent':
        break;
      case 'xml':
        body['returnValue'] = `<compapi><returnValue>${url}</returnValue></compapi>`;
        break;
      default:
        body['returnValue'] = url;
    }
    return body;
  }

  /** Answer to a poll: the running task, the result, or undefined for an unknown id. */
  poll(id: string, origin: string): Reply | undefined {
    const task = this.tasks.get(id);
    if (!task) return undefined;
    if (task.pollsLeft > 0 || this.clock.now() < task.doneAt) {
      if (task.pollsLeft > 0) task.pollsLeft--;
      return { status: 200, body: this.describe(id, origin) };
    }
    return task.result;
  }
}
