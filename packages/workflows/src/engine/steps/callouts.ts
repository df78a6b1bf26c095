import {
  calloutApplies,
  onAbort,
  type Callout,
  type CalloutContext,
  type CalloutOutcome,
  type CalloutRecord,
  type CalloutWorkflow,
} from '@drctl/domain';
import { errorMessage, type RunContext } from '../run-context.js';

function calloutName(callout: Callout, index: number): string {
  if (callout.name) return callout.name;
  if (callout.type === 'command') return `${callout.command} ${callout.args.join(' ')}`.trim();
  if (callout.type === 'webhook') return `POST ${callout.url}`;
  return `prompt ${index + 1}`;
}

/**
 * Asks a prompt and waits for the answer. The answer is journaled with who gave it, so a run
 * resumed after a crash does not ask again what was already answered.
 */
async function prompt(
  ctx: RunContext,
  key: string,
  text: string,
  signal: AbortSignal,
  where: { vm?: string; step?: string },
): Promise<CalloutOutcome> {
  // An answer given before a crash stands when the run resumes; a new run asks again.
  const journaled = ctx.journal.prompt(key);
  const answered = journaled?.runId === ctx.runId ? journaled : undefined;
  const promptId = `${ctx.runId}:${key}`;
  let record = ctx.report.report.prompts.find((p) => p.id === promptId);
  if (!record) {
    record = { id: promptId, text, askedAt: ctx.report.now(), ...where };
    ctx.report.report.prompts.push(record);
  }
  if (answered) return { status: 'success', message: `answered by ${answered.answeredBy}: ${answered.answer}` };
  let answer: { answer: string; answeredBy: string; answeredAt: string };
  if (ctx.autoAnswer) {
    answer = { answer: ctx.autoAnswer.answer, answeredBy: ctx.autoAnswer.by, answeredAt: ctx.report.now() };
  } else {
    await ctx.report.save();
    // Registered before anyone hears of it, so an answer given from inside the event is accepted.
    const asked = ctx.prompts.ask(ctx.runId, record);
    ctx.events.emit({ type: 'prompt-waiting', runId: ctx.runId, promptId, text, at: record.askedAt, ...where });
    answer = await new Promise((resolve, reject) => {
      const forget = onAbort(signal, () => {
        ctx.prompts.withdraw(promptId);
        reject(signal.reason);
      });
      if (signal.aborted) {
        forget();
        ctx.prompts.withdraw(promptId);
        reject(signal.reason);
        return;
      }
      asked.then((a) => {
        forget();
        resolve(a);
      }, reject);
    });
  }
  record.answer = answer.answer;
  record.answeredBy = answer.answeredBy;
  record.answeredAt = answer.answeredAt;
  await ctx.journal.record({
    t: 'prompt',
    key,
    runId: ctx.runId,
    promptId,
    answer: answer.answer,
    answeredBy: answer.answeredBy,
    at: answer.answeredAt,
  });
  ctx.events.emit({
    type: 'prompt-answered',
    runId: ctx.runId,
    promptId,
    answer: answer.answer,
    answeredBy: answer.answeredBy,
    at: answer.answeredAt,
  });
  return { status: 'success', message: `answered by ${answer.answeredBy}: ${answer.answer}` };
}

/**
 * Runs one callout of any kind; failures come back as an `error` outcome, never thrown. Its
 * success is journaled under `key`, so a resumed or re-run operation does not repeat it.
 */
export async function runCallout(
  ctx: RunContext,
  callout: Callout,
  key: string,
  context: CalloutContext,
  signal: AbortSignal,
): Promise<CalloutOutcome> {
  // A command or webhook that succeeded before a crash is not run again when the run resumes;
  // a new run of the operation (a re-run after a failure) runs it again, as SRM does.
  const effectKey = `callout/${ctx.runId}/${key}`;
  if (callout.type !== 'prompt' && ctx.journal.hasEffect(effectKey)) {
    return { status: 'success', message: 'already done before the run was interrupted' };
  }
  const outcome = await runCalloutOnce(ctx, callout, key, context, signal);
  if (callout.type !== 'prompt' && outcome.status === 'success') {
    await ctx.journal.record({ t: 'effect', key: effectKey, runId: ctx.runId, at: ctx.report.now() });
  }
  return outcome;
}

async function runCalloutOnce(
  ctx: RunContext,
  callout: Callout,
  key: string,
  context: CalloutContext,
  signal: AbortSignal,
): Promise<CalloutOutcome> {
  try {
    switch (callout.type) {
      // Real work: a virtual clock holds still while it runs, so simulated timings stay repeatable.
      case 'command':
        return await ctx.clock.track(ctx.callouts.runCommand(callout, context, signal));
      case 'webhook':
        return await ctx.clock.track(ctx.callouts.runWebhook(callout, context, signal));
      case 'prompt':
        return await prompt(ctx, key, callout.text, signal, {
          ...(context.vm ? { vm: context.vm } : {}),
          ...(context.step ? { step: context.step } : {}),
        });
    }
  } catch (error) {
    if (signal.aborted) throw error;
    return { status: 'error', message: errorMessage(error) };
  }
}

export function calloutContext(ctx: RunContext, extra: { vm?: string; step?: string }): CalloutContext {
  return {
    runId: ctx.runId,
    plan: ctx.plan.name,
    workflow: ctx.workflow,
    protectedSite: ctx.protectedSite,
    recoverySite: ctx.recoverySite,
    ...extra,
  };
}

/**
 * A VM's pre- or post-power-on batch: in order; the first failure skips the rest (and, before
 * power-on, the power-on itself — the VM machine sees `ok: false`).
 */
export async function runVmBatch(
  ctx: RunContext,
  vm: string,
  phase: 'pre-power-on' | 'post-power-on',
  callouts: Callout[],
  records: CalloutRecord[],
  stepKeyPrefix: string,
  signal: AbortSignal,
): Promise<{ ok: boolean; message?: string }> {
  for (let i = 0; i < callouts.length; i++) {
    const callout = callouts[i]!;
    const name = calloutName(callout, i);
    const record: CalloutRecord = { name, type: callout.type, phase, status: 'success', startedAt: ctx.report.now() };
    records.push(record);
    const outcome = await runCallout(
      ctx,
      callout,
      `${stepKeyPrefix}/${vm}/${phase}/${i}`,
      calloutContext(ctx, { vm, step: phase }),
      signal,
    );
    record.finishedAt = ctx.report.now();
    record.status = outcome.status;
    record.message = outcome.message;
    if (outcome.output) record.output = outcome.output;
    if (outcome.status === 'error') {
      for (let j = i + 1; j < callouts.length; j++) {
        records.push({
          name: calloutName(callouts[j]!, j),
          type: callouts[j]!.type,
          phase,
          status: 'skipped',
          message: `skipped: ${name} failed`,
        });
      }
      return { ok: false, message: `${phase} step ${name} failed: ${outcome.message}` };
    }
  }
  return { ok: true };
}

/** Plan-level callouts before a step (or at the end): a failure is a warning and the run goes on. */
export async function runPlanCallouts(
  ctx: RunContext,
  position: string,
  phaseKey: string,
  signal: AbortSignal,
): Promise<string[]> {
  const warnings: string[] = [];
  // A callout belongs to named workflows and a direction: reprotect does not run the recovery's
  // "snapshot the source array" callout, nor a reversed plan the one written for the original way.
  const phase = phaseKey as CalloutWorkflow;
  const reversed = ctx.protectedSite !== ctx.plan.protectedSite;
  const callouts = ctx.plan.callouts.filter((c) => c.before === position && calloutApplies(c, phase, reversed));
  for (let i = 0; i < callouts.length; i++) {
    const callout = callouts[i]!;
    const name = calloutName(callout, i);
    const stepId = position === 'end' ? null : position;
    const child = stepId ? ctx.report.child(stepId as never, `callout:${name}`, `Callout: ${name}`) : undefined;
    const outcome = await runCallout(
      ctx,
      callout,
      `${phaseKey}/callout/${position}/${i}`,
      calloutContext(ctx, stepId ? { step: stepId } : {}),
      signal,
    );
    if (child) {
      ctx.report.finish(child, outcome.status === 'error' ? 'warning' : 'success', outcome.message);
      if (outcome.output) child.messages.push(outcome.output);
    }
    if (outcome.status === 'error') warnings.push(`callout ${name} failed: ${outcome.message}`);
  }
  return warnings;
}
