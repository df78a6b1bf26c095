import pino, { type Logger } from 'pino';

/**
 * Paths pino censors in every line the adapter writes. The adapter never puts credentials in a
 * log object in the first place; this is the second line of defence, applied even to a logger the
 * caller hands in (as a child with its own redaction).
 */
export const REDACTED_PATHS = [
  'password',
  '*.password',
  'authorization',
  '*.authorization',
  'cookie',
  '*.cookie',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["set-cookie"]',
];

export function adapterLogger(base: Logger | undefined, bindings: Record<string, unknown>): Logger {
  const root = base ?? pino({ name: 'drctl', level: 'warn' });
  return root.child(bindings, { redact: { paths: REDACTED_PATHS, censor: '[redacted]' } });
}
