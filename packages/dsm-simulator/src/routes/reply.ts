import type { Outcome, Refusal } from '../protocol/outcome.js';

/** What a route answers: a status, a JSON body (or none), extra headers. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export const json = (status: number, body: unknown): Reply => ({ status, body });
export const noContent = (): Reply => ({ status: 204 });

/** DSM's JSON error body: `{"result": "<reason>"}`. */
export const errorReply = (status: number, message: string): Reply => ({ status, body: { result: message } });

export const fromRefusal = (refusal: Refusal): Reply => errorReply(refusal.status, refusal.message);

/** Runs `then` on success, or answers the refusal. */
export function answer<T>(outcome: Outcome<T>, then: (value: T) => Reply): Reply {
  return outcome.ok ? then(outcome.value) : fromRefusal(outcome);
}

export const isSuccess = (reply: Reply) => reply.status >= 200 && reply.status < 300;
