/** A JSON call to the API over real HTTP. */
export async function call<T = unknown>(
  base: string,
  path: string,
  options: {
    method?: string;
    token?: string | null;
    body?: unknown;
    raw?: string;
    contentType?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<{ status: number; body: T; headers: Headers }> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers['authorization'] = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.raw !== undefined) {
    body = options.raw;
    headers['content-type'] = options.contentType ?? 'application/json';
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  const response = await fetch(`${base}${path}`, {
    method: options.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    ...(body !== undefined ? { body } : {}),
  });
  const text = await response.text();
  let parsed: unknown = text;
  if ((response.headers.get('content-type') ?? '').includes('json') && text !== '') parsed = JSON.parse(text);
  return { status: response.status, body: parsed as T, headers: response.headers };
}

export interface SseEvent {
  id: string | undefined;
  event: string | undefined;
  data: string;
}

/**
 * Reads a server-sent-event stream until it ends (or `stop` says so), parsing each event.
 * `onEvent` sees the events as they come, e.g. to answer a prompt.
 */
export async function readEvents(
  url: string,
  token: string,
  options: {
    headers?: Record<string, string>;
    onEvent?: (e: SseEvent) => void | Promise<void>;
    timeoutMs?: number;
  } = {},
): Promise<SseEvent[]> {
  const abort = new AbortController();
  const timer = setTimeout(
    () => abort.abort(new Error('event stream did not end in time')),
    options.timeoutMs ?? 30_000,
  );
  try {
    const response = await fetch(url, {
      headers: { authorization: `Bearer ${token}`, ...options.headers },
      signal: abort.signal,
    });
    if (response.status !== 200) throw new Error(`event stream answered ${response.status}: ${await response.text()}`);
    const events: SseEvent[] = [];
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields: Record<string, string> = {};
        for (const line of block.split('\n')) {
          if (line.startsWith(':') || line === '') continue;
          const colon = line.indexOf(':');
          const key = line.slice(0, colon);
          fields[key] = (fields[key] ? `${fields[key]}\n` : '') + line.slice(colon + 1).replace(/^ /, '');
        }
        if (fields['data'] === undefined) continue;
        const event: SseEvent = { id: fields['id'], event: fields['event'], data: fields['data'] };
        events.push(event);
        await options.onEvent?.(event);
      }
    }
    return events;
  } finally {
    clearTimeout(timer);
  }
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
