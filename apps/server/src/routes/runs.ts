import { DrError } from '@drctl/domain';
import type { ServerContext } from '../context.js';
import { runLinks } from '../context.js';
import { route, type AnyRoute } from '../http/route.js';
import {
  activeRuns,
  cancelRunRequest,
  errorResponse,
  eventsQuery,
  history,
  historyQuery,
  runAccepted,
  runIdParams,
  runReport,
  runStatus,
  runView,
  startRunRequest,
} from '../http/schemas.js';
import { streamRunEvents } from '../runs/event-stream.js';
import { reportOf, statusOf, summaryOf, viewOf } from '../runs/run-view.js';

export function runRoutes(ctx: ServerContext): AnyRoute[] {
  const engine = () => ctx.workspace().engine;
  const accepted = (handle: { runId: string; plan: string; workflow: string }, resumed: boolean) => ({
    runId: handle.runId,
    plan: handle.plan,
    workflow: handle.workflow,
    resumed,
    links: runLinks(handle.runId),
  });
  return [
    route({
      method: 'POST',
      url: '/api/v1/runs',
      operationId: 'startRun',
      summary: 'Starts a workflow on a plan; the run goes on in the server.',
      description:
        'Refused (409) with the reason when the plan state does not allow it, a run of the plan is unfinished, or a protection group is in use by another plan.',
      tag: 'runs',
      body: { schema: startRunRequest },
      responses: {
        202: { description: 'The run started; follow it at links.events or links.viewer.', schema: runAccepted },
        409: { description: 'Refused, with the reason.', schema: errorResponse },
      },
      handler: async ({ body, reply }) => {
        const handle = await engine().start(body);
        ctx.monitor.track(handle);
        reply.code(202);
        return accepted(handle, false);
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/runs',
      operationId: 'listActiveRuns',
      summary: 'Runs active in this server now.',
      tag: 'runs',
      responses: { 200: { description: 'Active runs.', schema: activeRuns } },
      handler: async () => {
        const reports = await Promise.all(
          engine()
            .activeRuns()
            .map((id) => engine().report(id)),
        );
        return { runs: reports.filter((r) => r !== undefined).map((r) => statusOf(ctx, r)) };
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/runs/:runId',
      operationId: 'getRun',
      summary: 'Status of a run: result so far, the state its machine is in, waiting prompts.',
      tag: 'runs',
      params: runIdParams,
      responses: {
        200: { description: 'The run.', schema: runStatus },
        404: { description: 'No such run.', schema: errorResponse },
      },
      handler: async ({ params }) => statusOf(ctx, await reportOf(ctx, params.runId)),
    }),
    route({
      method: 'GET',
      url: '/api/v1/runs/:runId/report',
      operationId: 'getRunReport',
      summary: 'The run report (history document), as written so far.',
      tag: 'runs',
      params: runIdParams,
      responses: {
        200: { description: 'The report.', schema: runReport },
        404: { description: 'No such run.', schema: errorResponse },
      },
      handler: async ({ params }) => reportOf(ctx, params.runId),
    }),
    route({
      method: 'GET',
      url: '/api/v1/runs/:runId/view',
      operationId: 'getRunView',
      summary: "What the viewer draws: the run's status and state, steps, VM power-ons and prompts.",
      tag: 'runs',
      params: runIdParams,
      responses: {
        200: { description: 'The run view.', schema: runView },
        404: { description: 'No such run.', schema: errorResponse },
      },
      handler: async ({ params }) => viewOf(ctx, params.runId),
    }),
    route({
      method: 'GET',
      url: '/api/v1/runs/:runId/events',
      operationId: 'streamRunEvents',
      summary:
        'Server-sent events of a run, in order, from the start (or after Last-Event-ID / ?after=), ending after run-finished.',
      tag: 'runs',
      kind: 'stream',
      params: runIdParams,
      query: eventsQuery,
      responses: {
        200: {
          description:
            'text/event-stream: `id` = position in the run, `event` = engine event type, `data` = the event as JSON.',
          contentType: 'text/event-stream',
        },
        404: { description: 'No such run.', schema: errorResponse },
      },
      handler: async ({ params, query, request, reply }) => {
        const report = await reportOf(ctx, params.runId);
        const header = Number(request.headers['last-event-id']);
        const after = query.after ?? (Number.isInteger(header) && header > 0 ? header : 0);
        streamRunEvents(ctx, report, after, request, reply);
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/runs/:runId/cancel',
      operationId: 'cancelRun',
      summary: 'Cancels a running run (a planned migration before its storage steps rolls back).',
      tag: 'runs',
      params: runIdParams,
      body: { schema: cancelRunRequest, optional: true },
      responses: {
        202: { description: 'Cancel sent; the run ends shortly (see its events).', schema: runStatus },
        404: { description: 'No such run.', schema: errorResponse },
        409: { description: 'The run is not running here.', schema: errorResponse },
      },
      handler: async ({ params, body, caller, reply }) => {
        const report = await reportOf(ctx, params.runId);
        if (!engine().activeRuns().includes(params.runId)) {
          throw new DrError(
            'DR_OPERATION_REFUSED',
            `Run ${params.runId} is not running (${report.result}); only a running run can be cancelled.`,
            {
              issues: [{ path: 'runId', message: `run is ${report.result}` }],
            },
          );
        }
        engine().cancel(params.runId, body?.reason ?? `cancelled through the API by ${caller}`);
        reply.code(202);
        return statusOf(ctx, report);
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/runs/:runId/resume',
      operationId: 'resumeRun',
      summary: 'Resumes an interrupted run from its last persisted state; finished steps are not redone.',
      tag: 'runs',
      params: runIdParams,
      responses: {
        202: { description: 'The run goes on.', schema: runAccepted },
        404: { description: 'No such run.', schema: errorResponse },
        409: { description: 'The run is running or finished.', schema: errorResponse },
      },
      handler: async ({ params, reply }) => {
        const handle = await engine().resume(params.runId);
        ctx.monitor.track(handle);
        reply.code(202);
        return accepted(handle, true);
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/history',
      operationId: 'listHistory',
      summary: 'Every run in the store, newest first (the history); full documents at /runs/{runId}/report.',
      tag: 'runs',
      query: historyQuery,
      responses: { 200: { description: 'Run summaries.', schema: history } },
      handler: async ({ query }) => ({ runs: (await engine().runs(query.plan)).slice(0, query.limit).map(summaryOf) }),
    }),
  ];
}
