import { pino, type Logger } from 'pino';
import type { CliIo } from './io.js';

/** Fields that may hold secrets, wherever they appear in a log line. */
const REDACTED = [
  'password',
  '*.password',
  '*.*.password',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  '*.headers.authorization',
  '*.headers.cookie',
  'secret',
  '*.secret',
];

/**
 * drctl logs pino JSON to stderr only when asked (`DRCTL_LOG_LEVEL=debug`): the terminal belongs to
 * the progress view and `--json` output, so logging is silent by default.
 */
export function cliLogger(io: CliIo): Logger {
  const level = io.env['DRCTL_LOG_LEVEL'];
  if (!level || level === 'silent') return pino({ level: 'silent' });
  return pino(
    { level, redact: { paths: REDACTED, censor: '[redacted]' } },
    io.stderr as unknown as pino.DestinationStream,
  );
}
