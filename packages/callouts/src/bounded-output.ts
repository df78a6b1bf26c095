/** Default bound on captured command output and webhook response bodies. */
export const DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024;

/**
 * Keeps the *last* `maxBytes` of a stream of chunks (a failing command prints the reason at the
 * end), in arrival order, without holding more than about twice the bound in memory.
 */
export class TailBuffer {
  private chunks: Buffer[] = [];
  private held = 0;
  private dropped = 0;

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.held += chunk.length;
    if (this.held > this.maxBytes * 2) this.compact();
  }

  private compact(): void {
    const all = Buffer.concat(this.chunks);
    const keep = all.subarray(Math.max(0, all.length - this.maxBytes));
    this.dropped += all.length - keep.length;
    this.chunks = [Buffer.from(keep)];
    this.held = keep.length;
  }

  /** The kept text; when bytes were dropped, a first line says how many. */
  text(): string {
    this.compact();
    const kept = this.chunks[0] ?? Buffer.alloc(0);
    const body = decodeFromCharBoundary(kept, this.dropped > 0);
    return this.dropped > 0 ? `[… ${this.dropped} earlier bytes omitted …]\n${body}` : body;
  }
}

/**
 * Keeps the *first* `maxBytes` (the top of an HTTP response body says what went wrong).
 * Reports when it is full so the caller can stop reading.
 */
export class HeadBuffer {
  private chunks: Buffer[] = [];
  private held = 0;
  private truncated = false;

  constructor(private readonly maxBytes: number) {}

  /** Returns false once the bound is reached. */
  push(chunk: Buffer): boolean {
    const room = this.maxBytes - this.held;
    if (chunk.length > room) {
      this.truncated = true;
      if (room > 0) this.chunks.push(chunk.subarray(0, room));
      this.held = this.maxBytes;
      return false;
    }
    this.chunks.push(chunk);
    this.held += chunk.length;
    return true;
  }

  text(): string {
    const body = Buffer.concat(this.chunks).toString('utf8');
    return this.truncated ? `${body}\n[… truncated after ${this.maxBytes} bytes …]` : body;
  }
}

/** Skips UTF-8 continuation bytes at the start of a tail that was cut mid-character. */
function decodeFromCharBoundary(buffer: Buffer, wasCut: boolean): string {
  let start = 0;
  if (wasCut) while (start < buffer.length && start < 4 && (buffer[start]! & 0xc0) === 0x80) start++;
  return buffer.subarray(start).toString('utf8');
}
