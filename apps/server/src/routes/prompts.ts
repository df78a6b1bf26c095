import { DrError } from '@drctl/domain';
import type { ServerContext } from '../context.js';
import { notFound } from '../http/errors.js';
import { route, type AnyRoute } from '../http/route.js';
import {
  answerPromptRequest,
  errorResponse,
  promptAnswered,
  promptList,
  promptParams,
  promptsQuery,
} from '../http/schemas.js';

export function promptRoutes(ctx: ServerContext): AnyRoute[] {
  const engine = () => ctx.workspace().engine;
  return [
    route({
      method: 'GET',
      url: '/api/v1/prompts',
      operationId: 'listPrompts',
      summary: 'Prompts waiting for an answer (of one run with ?runId=).',
      tag: 'prompts',
      query: promptsQuery,
      responses: { 200: { description: 'Waiting prompts.', schema: promptList } },
      handler: ({ query }) => ({
        // Those of runs other engines drive too (shared store): any engine answers them.
        prompts: [...engine().waitingPrompts(query.runId), ...(ctx.relay?.waitingElsewhere(query.runId) ?? [])],
      }),
    }),
    route({
      method: 'POST',
      url: '/api/v1/prompts/:promptId/answer',
      operationId: 'answerPrompt',
      summary:
        'Answers a waiting prompt; the run goes on. The answer is recorded with the name of the token that gave it.',
      description: 'The prompt id holds `:` and `/`: send it URL-encoded.',
      tag: 'prompts',
      params: promptParams,
      body: { schema: answerPromptRequest },
      responses: {
        200: { description: 'Answered.', schema: promptAnswered },
        404: { description: 'No such prompt.', schema: errorResponse },
        409: { description: 'Already answered.', schema: errorResponse },
      },
      handler: async ({ params, body, caller }) => {
        const waiting = engine()
          .waitingPrompts()
          .find((p) => p.promptId === params.promptId);
        if (!waiting) {
          const elsewhere = await ctx.relay?.answerElsewhere(params.promptId, body.answer, caller);
          if (elsewhere)
            return { promptId: params.promptId, runId: elsewhere.runId, answer: body.answer, answeredBy: caller };
          // A prompt id starts with its run id: say who answered it, when it was.
          const runId = params.promptId.split(':')[0]!;
          const answered = (await engine().report(runId))?.prompts.find(
            (p) => p.id === params.promptId && p.answeredAt,
          );
          if (answered) {
            throw new DrError(
              'DR_OPERATION_REFUSED',
              `Prompt ${params.promptId} was already answered by ${answered.answeredBy} at ${answered.answeredAt}.`,
              {
                issues: [{ path: 'promptId', message: 'already answered' }],
              },
            );
          }
          throw notFound(`Waiting prompt ${params.promptId}`, 'promptId');
        }
        engine().answerPrompt(params.promptId, body.answer, caller);
        return { promptId: params.promptId, runId: waiting.runId, answer: body.answer, answeredBy: caller };
      },
    }),
  ];
}
