import type { Dispatcher } from 'undici';
import type { CalloutContext, CalloutOutcome, Clock, WebhookCallout } from '@drctl/domain';
import { HeadBuffer } from './bounded-output.js';

export interface WebhookRunnerSettings {
  clock: Clock;
  /** Where `tokenEnv` is looked up. */
  env: NodeJS.ProcessEnv;
  maxOutputBytes: number;
  /** undici dispatcher (e.g. an Agent with a CA); undici's global one by default. */
  dispatcher: Dispatcher | undefined;
}

/** The URL as it may appear in messages: without any user:password part. */
export function webhookLabel(callout: WebhookCallout): string {
  if (callout.name !== undefined) return callout.name;
  try {
    const url = new URL(callout.url);
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    return 'webhook';
  }
}

async function readBounded(body: Dispatcher.ResponseData['body'], maxBytes: number): Promise<string> {
  const head = new HeadBuffer(maxBytes);
  for await (const chunk of body) {
    if (!head.push(Buffer.from(chunk as Buffer))) {
      // Enough: stop reading and let undici drop the connection.
      body.destroy();
      break;
    }
  }
  return head.text();
}

class StopError extends Error {
  constructor(readonly reason: 'timeout' | 'cancelled') {
    super(reason);
  }
}

/**
 * POSTs `{ event: 'drctl.callout', ...context }` as JSON to the callout's URL, with a bearer token
 * from the environment variable named by `tokenEnv`. 2xx is success; any other status, a network
 * error or the timeout (`timeoutSeconds`, 0 = none) is an error outcome. Never rejects. The token
 * appears in the Authorization header only — never in messages, logs or the outcome.
 */
export async function runWebhookCallout(
  callout: WebhookCallout,
  context: CalloutContext,
  signal: AbortSignal,
  settings: WebhookRunnerSettings,
): Promise<CalloutOutcome> {
  const label = webhookLabel(callout);
  if (signal.aborted) return { status: 'error', message: `Webhook ${label} was cancelled before it was sent.` };

  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'drctl' };
  if (callout.tokenEnv !== undefined) {
    const token = settings.env[callout.tokenEnv];
    if (token === undefined || token === '') {
      return {
        status: 'error',
        message: `Webhook ${label} was not sent: environment variable ${callout.tokenEnv} (tokenEnv) is not set.`,
      };
    }
    headers['authorization'] = `Bearer ${token}`;
  }

  const controller = new AbortController();
  const stopWith = (reason: 'timeout' | 'cancelled') => controller.abort(new StopError(reason));
  const cancelTimeout =
    callout.timeoutSeconds > 0
      ? settings.clock.setTimer(callout.timeoutSeconds * 1000, () => stopWith('timeout'))
      : () => undefined;
  const onAbort = () => stopWith('cancelled');
  signal.addEventListener('abort', onAbort, { once: true });

  const exchange = async (): Promise<CalloutOutcome> => {
    // Loaded on the first webhook: most runs call none, and undici is about 5 MB of heap.
    const { request } = await import('undici');
    const response = await request(callout.url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ event: 'drctl.callout', ...context }),
      signal: controller.signal,
      dispatcher: settings.dispatcher,
      // The callout's own timeout governs; undici's defaults (300 s) would cut longer ones short.
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    const output = await readBounded(response.body, settings.maxOutputBytes);
    const code = response.statusCode;
    if (code >= 200 && code < 300)
      return { status: 'success', code, message: `Webhook ${label} answered HTTP ${code}.`, output };
    return { status: 'error', code, message: `Webhook ${label} failed: HTTP ${code}.`, output };
  };

  try {
    return await settings.clock.track(exchange());
  } catch (error) {
    const reason = controller.signal.aborted ? (controller.signal.reason as StopError).reason : undefined;
    if (reason === 'timeout')
      return { status: 'error', message: `Webhook ${label} timed out after ${callout.timeoutSeconds} s.` };
    if (reason === 'cancelled') return { status: 'error', message: `Webhook ${label} was cancelled.` };
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const detail = cause?.code ?? cause?.message ?? (error as Error).message;
    return {
      status: 'error',
      message: `Webhook ${label} failed: ${(error as Error).message}${detail && detail !== (error as Error).message ? ` (${detail})` : ''}.`,
    };
  } finally {
    cancelTimeout();
    signal.removeEventListener('abort', onAbort);
  }
}
