import type { Logger } from 'pino';
import type { Broadcast } from '@drctl/domain';
import type { EngineEvent, WaitingPrompt } from '@drctl/workflows';
import type { ServerContext } from '../context.js';

interface RelayedEvent {
  engine: string;
  event: EngineEvent;
}

interface RelayedAnswer {
  promptId: string;
  answer: string;
  by: string;
}

/**
 * Joins the servers of engines sharing a PostgreSQL store: each publishes its engine's events
 * (LISTEN/NOTIFY topic `events`), so a run's events reach the API clients of every engine; the
 * prompts other engines' runs wait on are listed here and an answer given here is passed on
 * (topic `prompt-answers`) to the engine whose run waits. Best effort, as NOTIFY is: a server
 * that was not listening misses what was sent meanwhile; reports in the store stay the record.
 */
export class EngineRelay {
  private readonly remotePrompts = new Map<string, WaitingPrompt & { engine: string }>();
  private readonly stops: Array<() => Promise<void>> = [];

  private constructor(
    private readonly ctx: ServerContext,
    private readonly broadcast: Broadcast,
    private readonly self: string,
    private readonly logger: Logger,
  ) {}

  static async start(ctx: ServerContext, broadcast: Broadcast, self: string): Promise<EngineRelay> {
    const relay = new EngineRelay(ctx, broadcast, self, ctx.logger);
    relay.stops.push(await broadcast.subscribe('events', (m) => relay.received(m as RelayedEvent)));
    relay.stops.push(await broadcast.subscribe('prompt-answers', (m) => relay.answer(m as RelayedAnswer)));
    return relay;
  }

  /** Sends one of this engine's events to the other engines. */
  publish(event: EngineEvent): void {
    const message: RelayedEvent = { engine: this.self, event: compact(event) };
    this.broadcast
      .publish('events', message)
      .catch((error: unknown) => this.logger.warn({ err: error, type: event.type }, 'event not relayed'));
  }

  /** Prompts that runs of other engines wait on (of one run when given). */
  waitingElsewhere(runId?: string): WaitingPrompt[] {
    return [...this.remotePrompts.values()]
      .filter((p) => runId === undefined || p.runId === runId)
      .map(({ engine: _engine, ...prompt }) => prompt);
  }

  /** Answers a prompt another engine's run waits on; false when no engine is known to wait on it. */
  async answerElsewhere(promptId: string, answer: string, by: string): Promise<WaitingPrompt | undefined> {
    const prompt = this.remotePrompts.get(promptId);
    if (!prompt) return undefined;
    await this.broadcast.publish('prompt-answers', { promptId, answer, by } satisfies RelayedAnswer);
    return prompt;
  }

  async stop(): Promise<void> {
    for (const stop of this.stops.splice(0)) await stop().catch(() => undefined);
  }

  private received(message: RelayedEvent): void {
    if (message.engine === this.self) return;
    const event = message.event;
    if (event.type === 'prompt-waiting') {
      this.remotePrompts.set(event.promptId, {
        runId: event.runId,
        promptId: event.promptId,
        text: event.text,
        ...(event.vm ? { vm: event.vm } : {}),
        ...(event.step ? { step: event.step } : {}),
        askedAt: event.at,
        engine: message.engine,
      });
    } else if (event.type === 'prompt-answered') {
      this.remotePrompts.delete(event.promptId);
    } else if (event.type === 'run-finished') {
      for (const [id, prompt] of this.remotePrompts) if (prompt.runId === event.runId) this.remotePrompts.delete(id);
    }
    this.ctx.monitor.handle(event);
  }

  private answer(message: RelayedAnswer): void {
    const engine = this.ctx.workspace().engine;
    if (!engine.waitingPrompts().some((p) => p.promptId === message.promptId)) return;
    try {
      engine.answerPrompt(message.promptId, message.answer, message.by);
    } catch (error) {
      this.logger.warn({ err: error, promptId: message.promptId }, 'relayed prompt answer refused');
    }
  }
}

/** NOTIFY carries under 8000 bytes: an event's long message list is cut to what fits. */
function compact(event: EngineEvent): EngineEvent {
  if (JSON.stringify(event).length < 6000) return event;
  if ('messages' in event && Array.isArray(event.messages))
    return { ...event, messages: [`${event.messages.length} messages: see the run's report`] };
  return event;
}
