import { DrError } from '@drctl/domain';
import type { AsyncUrlVariant, FaultSpec } from '@drctl/dsm-simulator';

/** A fault for the simulated DSM Data Collector, from an `--inject` text. */
export type DsmFault = { kind: 'request'; spec: FaultSpec } | { kind: 'data-collector-down'; forMs?: number };

export const DSM_FAULT_SYNTAX = [
  'dsm:{"kind":"hang|server-error|unhandled-exception|connection-reset|session-expiry|latency|malformed-async-url", "method"?, "path"?, "times"?, "when"?, "ms"?, "variant"?}',
  'dsm-down[:SECONDS]',
] as const;

const REQUEST_KINDS = [
  'latency',
  'hang',
  'server-error',
  'unhandled-exception',
  'connection-reset',
  'session-expiry',
  'malformed-async-url',
] as const;
const ASYNC_URL_VARIANTS: readonly AsyncUrlVariant[] = ['no-id', 'blank', 'absent', 'xml'];

/** Whether an `--inject` text is meant for the simulated Data Collector. */
export function isDsmFaultText(text: string): boolean {
  const trimmed = text.trim();
  return trimmed.startsWith('dsm:') || trimmed === 'dsm-down' || trimmed.startsWith('dsm-down:');
}

/**
 * Parses `dsm:<JSON fault>` (the DSM simulator's own fault shape: what it does, and which
 * requests: method, a path glob under /api/rest/, how many times, before or after the call takes
 * effect) or `dsm-down[:SECONDS]` (the Data Collector stops answering, for that long in the run's
 * time or until the process ends). `index` names the flag in errors (`--inject[2]`).
 */
export function parseDsmFault(text: string, index: number): DsmFault {
  const path = `--inject[${index}]`;
  const bad = (problem: string) =>
    new DrError('DR_INPUT_INVALID', `--inject ${JSON.stringify(text)}: ${problem}.`, {
      issues: [{ path, message: `${problem}; expected ${DSM_FAULT_SYNTAX.join(' or ')}` }],
    });
  const trimmed = text.trim();
  if (trimmed === 'dsm-down') return { kind: 'data-collector-down' };
  if (trimmed.startsWith('dsm-down:')) {
    const seconds = Number(trimmed.slice('dsm-down:'.length));
    if (!Number.isFinite(seconds) || seconds <= 0) throw bad('the outage needs a number of seconds above 0');
    return { kind: 'data-collector-down', forMs: seconds * 1000 };
  }
  let value: unknown;
  try {
    value = JSON.parse(trimmed.slice('dsm:'.length));
  } catch {
    throw bad('the fault after dsm: is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw bad('the fault after dsm: must be a JSON object');
  const fault = value as Record<string, unknown>;
  const kind = fault['kind'];
  if (!(REQUEST_KINDS as readonly unknown[]).includes(kind))
    throw bad(`"kind" must be one of ${REQUEST_KINDS.join(', ')}`);
  const match: Record<string, unknown> = {};
  if (fault['method'] !== undefined) {
    if (typeof fault['method'] !== 'string') throw bad('"method" must be a text such as POST');
    match['method'] = fault['method'].toUpperCase();
  }
  if (fault['path'] !== undefined) {
    if (typeof fault['path'] !== 'string' || fault['path'] === '')
      throw bad('"path" must be a path glob under /api/rest/, e.g. */SwapRoles');
    match['path'] = fault['path'];
  }
  if (fault['times'] !== undefined) {
    if (!Number.isInteger(fault['times']) || (fault['times'] as number) < 1)
      throw bad('"times" must be a whole number of at least 1');
    match['times'] = fault['times'];
  }
  if (fault['when'] !== undefined) {
    if (fault['when'] !== 'before' && fault['when'] !== 'after') throw bad('"when" must be before or after');
    match['when'] = fault['when'];
  }
  switch (kind) {
    case 'latency':
      if (typeof fault['ms'] !== 'number' || !(fault['ms'] >= 0)) throw bad('a latency fault needs "ms" of 0 or more');
      return { kind: 'request', spec: { kind, ms: fault['ms'], ...match } as FaultSpec };
    case 'malformed-async-url':
      if (!ASYNC_URL_VARIANTS.includes(fault['variant'] as AsyncUrlVariant))
        throw bad(`"variant" must be one of ${ASYNC_URL_VARIANTS.join(', ')}`);
      return { kind: 'request', spec: { kind, variant: fault['variant'] as AsyncUrlVariant, ...match } as FaultSpec };
    case 'server-error':
      return {
        kind: 'request',
        spec: {
          kind,
          ...(typeof fault['message'] === 'string' ? { message: fault['message'] } : {}),
          ...match,
        } as FaultSpec,
      };
    default:
      return { kind: 'request', spec: { kind, ...match } as FaultSpec };
  }
}
