/**
 * Expected failures of DSM operations are values: the HTTP status and the `result` text real DSM
 * puts in its JSON error body (`{"result": "..."}`, which CoprHD, SK-CERT and Cinder read).
 */
export interface Refusal {
  ok: false;
  status: number;
  message: string;
}

export type Outcome<T> = { ok: true; value: T } | Refusal;

export function ok<T>(value: T): Outcome<T> {
  return { ok: true, value };
}

export function refuse(status: number, message: string): Refusal {
  return { ok: false, status, message };
}

export const badRequest = (message: string): Refusal => refuse(400, message);
export const notFound = (message: string): Refusal => refuse(404, message);
