import { DrError } from '@drctl/domain';

/**
 * Parses an append-only JSON-lines log. Every entry that `append` acknowledged ends with a
 * newline; a crash during a write can leave an unterminated (torn) tail, and a power loss can leave
 * a garbage last line (e.g. NUL bytes). Both were never acknowledged, so they are ignored. A bad
 * line *before* the last one is real corruption and is reported rather than silently skipped.
 */
export function parseJsonLines<T>(key: string, text: string): T[] {
  const lines = text.split('\n');
  // The piece after the last newline is either '' (clean end) or a torn, unacknowledged write.
  lines.pop();
  const entries: T[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    try {
      entries.push(JSON.parse(line) as T);
    } catch (error) {
      if (i === lines.length - 1) break;
      throw new DrError('DR_INTERNAL', `Store log ${key} is corrupt at line ${i + 1}.`, {
        cause: error,
        details: { key, line: i + 1 },
      });
    }
  }
  return entries;
}
