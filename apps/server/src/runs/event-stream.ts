import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RunReport } from '@drctl/domain';
import type { ServerContext } from '../context.js';
import type { LoggedEvent } from './run-monitor.js';

/** A comment line now and then keeps proxies and idle timeouts from closing a quiet stream. */
const HEARTBEAT_MS = 15_000;

const FINAL = new Set(['success', 'warnings', 'errors', 'cancelled', 'incomplete']);

/**
 * Streams a run's engine events as server-sent events, in order: `id` is the event's position
 * in the run (from 1; resume with `Last-Event-ID` or `?after=`), `event` its type, `data` the
 * event as JSON. The stream ends after `run-finished`. A run this server never watched and
 * that already finished gets one `run-finished` built from its report.
 */
export function streamRunEvents(
  ctx: ServerContext,
  report: RunReport,
  after: number,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const runId = report.runId;
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write('retry: 2000\n\n');

  let closed = false;
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  let unsubscribe: () => void = () => undefined;
  const stream = {
    end: () => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      unsubscribe();
      ctx.streams.delete(stream);
      res.end();
    },
  };
  ctx.streams.add(stream);
  request.raw.on('close', stream.end);

  const write = (e: LoggedEvent) => {
    if (closed || e.seq <= after) return;
    res.write(`id: ${e.seq}\nevent: ${e.event.type}\ndata: ${JSON.stringify(e.event)}\n\n`);
    if (e.event.type === 'run-finished') stream.end();
  };

  if (!ctx.monitor.knows(runId) && FINAL.has(report.result)) {
    write({
      seq: 1,
      event: {
        type: 'run-finished',
        runId,
        result: report.result,
        at: report.finishedAt ?? report.startedAt,
        reportKey: `runs/${runId}/report`,
      },
    });
    return;
  }
  // Events are emitted synchronously: the backlog and the subscription are taken in one turn.
  const backlog = ctx.monitor.events(runId, after) ?? [];
  unsubscribe = ctx.monitor.subscribe(runId, write);
  for (const e of backlog) write(e);
}
