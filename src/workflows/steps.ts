// Running one step: an operation step as one activity (polling inside it when the step loops on itself),
// a workflow step as a child workflow judged in the workflow. Either way the result is a StepOutcome.
import { ActivityCancellationType, ApplicationFailure, CancellationScope, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import { NON_RETRYABLE_ERRORS, type StepActivities, type StepOutcome } from '../core/contract';
import { evaluateStep, type StepEvaluation } from '../core/evaluate-step';
import { evaluateValue, evaluationErrorType } from '../core/expr';
import { formatDuration } from '../core/durations';
import { stepLabel, type OperationStep, type PlanStep, type WorkflowStep } from '../core/plan';
import type { ExpressionContext } from '../core/types';
import { runReceiveStep, runSendStep } from './async-steps';
import { isTimeout, runChild } from './children';
import { contextFor } from './context';
import { fullContext, type Run } from './run';
import { exhaustedRetries, nextVisit, recordOutcome } from './state';
import { judgedValues, withXPathAnswers } from './xpath-selections';
import { dependencyOutcome } from './step-dependencies';

function selfLooping(step: PlanStep): boolean {
  return [...step.onSuccess, ...step.onFailure].some((a) => a.type === 'goto' && a.stepId === step.stepId);
}

/** A step evaluated in the workflow (a workflow step, or a timed-out step): evaluation errors fail the run. */
export function judge(step: PlanStep, ctx: ExpressionContext, exhausted: string[], failed: boolean): StepEvaluation {
  try {
    return evaluateStep(step, ctx, exhausted, failed);
  } catch (err) {
    throw ApplicationFailure.nonRetryable(`step ${step.stepId}: ${(err as Error).message}`, evaluationErrorType(err));
  }
}

/** The outcome of a step judged in the workflow, without a response. */
export function judgedOutcome(step: PlanStep, evaluation: StepEvaluation, durationMs: number, errorMessage?: string): StepOutcome {
  return {
    stepId: step.stepId,
    statusCode: 0,
    success: evaluation.success,
    outputs: evaluation.outputs,
    action: evaluation.action,
    failedCriteria: evaluation.failedCriteria,
    polls: 0,
    durationMs,
    ...(errorMessage !== undefined && { errorMessage }),
  };
}

function stepActivities(run: Run, step: OperationStep, polling: boolean) {
  const { options } = run;
  return proxyActivities<StepActivities>({
    summary: stepLabel(step),
    taskQueue: options.activityTaskQueue,
    startToCloseTimeout: (options.attemptTimeout ?? '10m') as Duration,
    heartbeatTimeout: (options.heartbeatTimeout ?? '30s') as Duration,
    // a step `timeout` bounds the whole step: every attempt and, for a polling step, every poll
    scheduleToCloseTimeout: (step.timeoutMs ??
      (polling && step.poll.timeoutMs > 0 ? step.poll.timeoutMs : (options.stepTimeout ?? '1h'))) as Duration,
    // The activity sets the delay of every retry it asks for (poll interval, Retry-After, backoff by
    // failures in a row); the policy's own backoff only applies to an attempt that timed out, e.g. on a
    // worker that died. A polling step's attempt count is mostly polls, so there it must not grow with it
    // (after 12 polls it would already wait 60 s before polling again).
    retry: {
      initialInterval: '1s',
      backoffCoefficient: polling ? 1 : 2,
      maximumInterval: '60s',
      nonRetryableErrorTypes: NON_RETRYABLE_ERRORS,
    },
    cancellationType: ActivityCancellationType.TRY_CANCEL,
  });
}

/** A create resolved by an operator with the id of what it made: the step judged on a 200 answer with body {id}. */
function resolvedOutcome(step: OperationStep, ctx: ExpressionContext, id: string, exhausted: string[]): StepOutcome {
  const evaluation = judge(step, { ...ctx, statusCode: 200, response: { header: {}, body: { id } } }, exhausted, false);
  return { ...judgedOutcome(step, evaluation, 0), statusCode: 200 };
}

/** An operation step: one activity. A step `timeout` that runs out fails the step (its failure actions apply). */
async function runOperationStep(run: Run, step: OperationStep, visit: number, exhausted: string[]): Promise<StepOutcome> {
  const polling = selfLooping(step) && ['GET', 'HEAD'].includes(step.operation.method);
  try {
    const call = (resend: boolean) => () =>
      stepActivities(run, step, polling).runStep({
        step,
        context: contextFor(step, run),
        idempotencyKey: `${workflowInfo().workflowId}/${step.stepId}/${visit}`,
        exhaustedRetries: exhausted,
        pollInActivity: polling,
        ...(resend && { resend }),
        arazzo: { workflowId: run.plan.workflowId, document: run.plan.document.file },
      });
    // A cancel of the run does not interrupt a step that creates something its x-temporal-cancel can
    // stop: a create request in flight may already have created the object, so the run waits for the
    // answer (and the step's retries) and then cancels what was created instead of leaking it.
    // An unknown outcome of a create waits for the operator's resolve Update (resolve.ts).
    return await run.resolver.guard(
      step.stepId,
      (resend) => (step.cancel ? CancellationScope.nonCancellable(call(resend)) : call(resend)()),
      (id) =>
        resolvedOutcome(
          step,
          { ...fullContext(run), method: step.operation.method, url: step.operation.serverUrl + step.operation.path },
          id,
          exhausted,
        ),
    );
  } catch (err) {
    if (step.timeoutMs === undefined || !isTimeout(err)) throw err;
    const evaluation = judge(step, fullContext(run), exhausted, true);
    return {
      ...judgedOutcome(step, evaluation, step.timeoutMs, `timed out after ${formatDuration(step.timeoutMs)} (step timeout)`),
      success: false,
      failedCriteria: [],
    };
  }
}

/** A step with workflowId: the child's outputs become `$workflows.<id>.outputs`; its failure fails the step. */
async function runWorkflowStep(run: Run, step: WorkflowStep, visit: number, exhausted: string[]): Promise<StepOutcome> {
  const target = step.workflow;
  const started = Date.now();
  let inputs: Record<string, unknown>;
  try {
    const ctx = await withXPathAnswers(target.inputs, fullContext(run));
    inputs = evaluateValue(target.inputs, ctx, { templates: step.expressions }) as Record<string, unknown>;
  } catch (err) {
    throw ApplicationFailure.nonRetryable(
      `step ${step.stepId}: the inputs of workflow ${target.workflowId}: ${(err as Error).message}`,
      'ArazzoExpressionError',
    );
  }
  const why = `step ${step.stepId} of ${run.plan.workflowId}`;
  const end = await runChild(run, {
    key: target.key,
    inputs,
    id: `${workflowInfo().workflowId}/${step.stepId}/${visit}`,
    why,
    timeoutMs: step.timeoutMs,
  });
  let failure: string | undefined;
  if ('result' in end)
    run.state.workflows![target.workflowId] = { inputs, outputs: end.result.outputs, completedSteps: end.result.completedSteps };
  else {
    failure = end.timedOut
      ? `workflow ${target.workflowId} timed out after ${formatDuration(step.timeoutMs ?? 0)}`
      : `workflow ${target.workflowId} failed: ${end.failure}`;
    run.state.workflows![target.workflowId] = { inputs, outputs: {} };
  }
  const ctx = await withXPathAnswers(judgedValues(step), fullContext(run));
  return judgedOutcome(step, judge(step, ctx, exhausted, failure !== undefined), Date.now() - started, failure);
}

/** One visit of a step, by its kind. */
function runByKind(run: Run, step: PlanStep, visit: number, exhausted: string[]): Promise<StepOutcome> {
  switch (step.kind) {
    case 'workflow':
      return runWorkflowStep(run, step, visit, exhausted);
    case 'send':
      return runSendStep(run, step, visit, exhausted);
    case 'receive':
      return runReceiveStep(run, step, visit, exhausted);
    default:
      return runOperationStep(run, step, visit, exhausted);
  }
}

/** Run one step and record what it left behind. */
export async function runStep(run: Run, step: PlanStep): Promise<StepOutcome> {
  const visit = nextVisit(run.state, step.stepId);
  const exhausted = exhaustedRetries(run.state, step);
  run.status?.moved();
  const outcome = dependencyOutcome(run, step, exhausted) ?? (await runByKind(run, step, visit, exhausted));
  recordOutcome(run.state, step, outcome);
  run.status?.moved(outcome);
  run.responded[step.stepId] = { statusCode: outcome.statusCode, nullOutputs: outcome.nullOutputs, facts: outcome.facts };
  // cancelled while that create ran: stop here, even if it was the last step (the caller cancels what it created)
  if (step.kind === 'operation' && step.cancel && CancellationScope.current().consideredCancelled)
    await CancellationScope.current().cancelRequested;
  return outcome;
}
