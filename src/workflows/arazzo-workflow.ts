// The interpreter: runs one compiled Arazzo workflow (a Plan) deterministically. Each step is one
// activity; loops wait on durable timers (or, for a step that polls itself, inside the activity's
// retries); long loops continue as new; cancellation calls the providers' cancel operations.
import {
  ActivityCancellationType,
  ApplicationFailure,
  CancellationScope,
  continueAsNew,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type * as activities from '../activities';
import { NON_RETRYABLE_ERRORS, type RunStepInput, type StepOutcome } from '../activities/types';
import { evaluateExpression } from '../core/expressions';
import { formatDuration } from '../core/durations';
import type { Plan, PlanStep } from '../core/types';
import type { Duration } from '@temporalio/common';
import { progressQuery } from './queries';

export interface RunOptions {
  /** a poll loop whose response matches none of its actions: fail the run (default) or go on to the next step as the spec says */
  onUnmatched?: 'fail' | 'continue';
  /** upper bound of step executions in the whole run (default: none) */
  maxStepRuns?: number;
  /** continue as new after this many step executions in one run, even if the server does not suggest it (default 500) */
  continueAsNewAfter?: number;
  /** per-HTTP-attempt timeout (default 10m) */
  attemptTimeout?: string;
  /** how long a step that does not poll may keep retrying transient failures (default 1h) */
  stepTimeout?: string;
  /** a worker that dies mid-request is noticed after this long (default 30s) */
  heartbeatTimeout?: string;
}

export interface TraceEntry {
  stepId: string;
  statusCode: number;
  success: boolean;
  action?: string;
  polls: number;
}

export interface InterpreterState {
  cursor: number;
  steps: Record<string, { outputs: Record<string, unknown> }>;
  /** executions per step: part of the idempotency key of each request */
  visits: Record<string, number>;
  /** retries used, per `stepId:actionName` */
  retries: Record<string, number>;
  /** backward gotos taken, per target step: drives the loop backoff */
  loops: Record<string, number>;
  /** steps that created something a cancel operation can stop */
  cancelable: string[];
  stepRuns: number;
  polls: number;
  trace: TraceEntry[];
}

export interface ArazzoRunInput {
  plan: Plan;
  inputs: Record<string, unknown>;
  options?: RunOptions;
  /** set when the run continues as new */
  state?: InterpreterState;
}

export interface ArazzoRunResult {
  workflowId: string;
  outputs: Record<string, unknown>;
  /** how the run ended: after the last step, or by an `end` action of a step */
  endedBy: { stepId: string; action?: string };
  stepRuns: number;
  polls: number;
  /** the last steps executed, newest last */
  trace: TraceEntry[];
}

const TRACE_LIMIT = 25;

function newState(): InterpreterState {
  return { cursor: 0, steps: {}, visits: {}, retries: {}, loops: {}, cancelable: [], stepRuns: 0, polls: 0, trace: [] };
}

const stepLabel = (s: { stepId: string; operation: { method: string; path: string } }) => `${s.stepId} · ${s.operation.method} ${s.operation.path}`;

function selfLooping(step: PlanStep): boolean {
  return [...step.onSuccess, ...step.onFailure].some((a) => a.type === 'goto' && a.stepId === step.stepId);
}

function loopsBack(plan: Plan, index: number): boolean {
  const step = plan.steps[index];
  return [...step.onSuccess, ...step.onFailure].some((a) => a.type === 'goto' && a.stepId !== undefined && plan.steps.findIndex((s) => s.stepId === a.stepId) <= index);
}

/** The part of the run's state a step's expressions refer to: keeps activity inputs small. */
function contextFor(value: unknown, plan: Plan, inputs: Record<string, unknown>, state: InterpreterState): RunStepInput['context'] {
  const text = JSON.stringify(value);
  const ctx: RunStepInput['context'] = { inputs: {}, steps: {}, sourceDescriptions: plan.sources };
  for (const m of text.matchAll(/\$inputs\.([A-Za-z0-9_-]+)/g)) if (m[1] in inputs) ctx.inputs[m[1]] = inputs[m[1]];
  for (const m of text.matchAll(/\$steps\.([A-Za-z0-9_-]+)/g)) if (state.steps[m[1]]) ctx.steps[m[1]] = state.steps[m[1]];
  return ctx;
}

function describeObserved(observed: Record<string, unknown> | undefined): string {
  const entries = Object.entries(observed ?? {});
  return entries.length ? entries.map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join(', ') : 'no value the criteria test was present';
}

export async function arazzoWorkflow(input: ArazzoRunInput): Promise<ArazzoRunResult> {
  const { plan, inputs } = input;
  const options = input.options ?? {};
  const state = input.state ?? newState();
  const runsAtStart = state.stepRuns;
  const index = (stepId: string) => plan.steps.findIndex((s) => s.stepId === stepId);
  setHandler(progressQuery, () => ({ index: state.cursor, stepId: plan.steps[state.cursor]?.stepId, stepRuns: state.stepRuns, polls: state.polls }));

  const activitiesFor = (step: PlanStep, polling: boolean) =>
    proxyActivities<typeof activities>({
      summary: stepLabel(step),
      startToCloseTimeout: (options.attemptTimeout ?? '10m') as Duration,
      heartbeatTimeout: (options.heartbeatTimeout ?? '30s') as Duration,
      scheduleToCloseTimeout: (polling && step.poll.timeoutMs > 0 ? step.poll.timeoutMs : (options.stepTimeout ?? '1h')) as Duration,
      retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '60s', nonRetryableErrorTypes: NON_RETRYABLE_ERRORS },
      cancellationType: ActivityCancellationType.TRY_CANCEL,
    });

  const finish = (endedBy: ArazzoRunResult['endedBy']): ArazzoRunResult => {
    const ctx = { inputs, steps: state.steps, sourceDescriptions: plan.sources };
    const outputs: Record<string, unknown> = {};
    for (const [name, expr] of Object.entries(plan.outputs)) outputs[name] = evaluateExpression(expr, ctx);
    return { workflowId: plan.workflowId, outputs, endedBy, stepRuns: state.stepRuns, polls: state.polls, trace: state.trace };
  };

  const runOne = async (step: PlanStep): Promise<StepOutcome> => {
    const visit = (state.visits[step.stepId] = (state.visits[step.stepId] ?? 0) + 1);
    const polling = selfLooping(step) && ['GET', 'HEAD'].includes(step.operation.method);
    const exhaustedRetries = step.onFailure
      .concat(step.onSuccess)
      .filter((a) => a.type === 'retry' && (state.retries[`${step.stepId}:${a.name}`] ?? 0) >= (a.retryLimit ?? 1))
      .map((a) => a.name);
    const outcome = await activitiesFor(step, polling).runStep({
      step,
      context: contextFor(step, plan, inputs, state),
      idempotencyKey: `${workflowInfo().workflowId}/${step.stepId}/${visit}`,
      exhaustedRetries,
      pollInActivity: polling,
    });
    state.stepRuns++;
    state.polls += outcome.polls;
    state.trace = [...state.trace, { stepId: step.stepId, statusCode: outcome.statusCode, success: outcome.success, action: outcome.action?.name, polls: outcome.polls }].slice(-TRACE_LIMIT);
    state.steps[step.stepId] = { outputs: outcome.outputs };
    if (outcome.success && step.cancel && !state.cancelable.includes(step.stepId)) state.cancelable.push(step.stepId);
    return outcome;
  };

  const clearRetries = (stepId: string) => {
    for (const key of Object.keys(state.retries)) if (key.startsWith(`${stepId}:`)) delete state.retries[key];
  };

  try {
    while (state.cursor < plan.steps.length) {
      const step = plan.steps[state.cursor];
      if (options.maxStepRuns && state.stepRuns >= options.maxStepRuns) {
        throw ApplicationFailure.nonRetryable(`the run reached its limit of ${options.maxStepRuns} step executions at step ${step.stepId}`, 'ArazzoStepBudget');
      }
      const outcome = await runOne(step);
      const action = outcome.action;

      if (!action) {
        if (!outcome.success) {
          throw ApplicationFailure.nonRetryable(
            `step ${step.stepId} failed: HTTP ${outcome.statusCode}${outcome.errorMessage ? ` — ${outcome.errorMessage}` : ''} (successCriteria not met: ${outcome.failedCriteria.join('; ')})`,
            'ArazzoStepFailed',
            { stepId: step.stepId, statusCode: outcome.statusCode, failedCriteria: outcome.failedCriteria },
          );
        }
        const guarded = step.onSuccess.length > 0 && step.onSuccess.every((a) => a.criteria?.length);
        if (guarded && loopsBack(plan, state.cursor) && options.onUnmatched !== 'continue') {
          const next = plan.steps[state.cursor + 1]?.stepId;
          throw ApplicationFailure.nonRetryable(
            `step ${step.stepId}: the response matched none of its actions (${step.onSuccess.map((a) => a.name).join(', ')}): ${describeObserved(outcome.observed)}. ` +
              `The document has no branch for this outcome, so the run stops here${next ? ` instead of going on to step ${next}` : ''}.`,
            'ArazzoUnhandledOutcome',
            { stepId: step.stepId, observed: outcome.observed, outputs: outcome.outputs },
          );
        }
        clearRetries(step.stepId);
        state.cursor++;
      } else if (action.type === 'end') {
        if (!outcome.success) {
          throw ApplicationFailure.nonRetryable(`step ${step.stepId} failed (HTTP ${outcome.statusCode}) and its action "${action.name}" ended the run`, 'ArazzoEndedOnFailure', {
            stepId: step.stepId,
            outputs: finish({ stepId: step.stepId, action: action.name }).outputs,
          });
        }
        return finish({ stepId: step.stepId, action: action.name });
      } else if (action.type === 'goto') {
        const target = index(action.stepId as string);
        clearRetries(step.stepId);
        if (target <= state.cursor) {
          const n = (state.loops[action.stepId as string] = (state.loops[action.stepId as string] ?? 0) + 1);
          const wait = Math.min(step.poll.initialIntervalMs * step.poll.backoff ** (n - 1), step.poll.maxIntervalMs);
          await sleep(wait, { summary: `${step.stepId} → ${action.stepId}: loop ${n}, waiting ${formatDuration(wait)}` });
        }
        state.cursor = target;
      } else {
        const key = `${step.stepId}:${action.name}`;
        const used = (state.retries[key] = (state.retries[key] ?? 0) + 1);
        const wait = outcome.retryAfterMs ?? (action.retryAfter ?? 0) * 1000;
        log.info(`step ${step.stepId}: retry ${used}/${action.retryLimit ?? 1} (${action.name}) in ${formatDuration(wait)}`);
        if (wait > 0) await sleep(wait, { summary: `${step.stepId}: retry ${used} (${action.name})` });
      }

      if (state.cursor < plan.steps.length && (workflowInfo().continueAsNewSuggested || state.stepRuns - runsAtStart >= (options.continueAsNewAfter ?? 500))) {
        await continueAsNew<typeof arazzoWorkflow>({ plan, inputs, options, state });
      }
    }
    return finish({ stepId: plan.steps[plan.steps.length - 1].stepId });
  } catch (err) {
    if (isCancellation(err) && state.cancelable.length) {
      await CancellationScope.nonCancellable(() => cancelCreated(plan, inputs, state));
    }
    throw err;
  }
}

/** Stop what the run created, newest first, with each create step's x-temporal-cancel operation. */
async function cancelCreated(plan: Plan, inputs: Record<string, unknown>, state: InterpreterState): Promise<void> {
  for (const stepId of [...state.cancelable].reverse()) {
    const cancel = plan.steps.find((s) => s.stepId === stepId)?.cancel;
    if (!cancel) continue;
    const act = proxyActivities<typeof activities>({
      summary: `cancel ${stepLabel(cancel)}`,
      startToCloseTimeout: '1m',
      scheduleToCloseTimeout: '10m',
      retry: { initialInterval: '1s', maximumInterval: '30s', nonRetryableErrorTypes: NON_RETRYABLE_ERRORS },
    });
    try {
      const res = await act.cancelCreated({
        stepId,
        step: cancel,
        context: contextFor(cancel, plan, inputs, state),
        idempotencyKey: `${workflowInfo().workflowId}/${cancel.stepId}/1`,
      });
      log.info(`cancelled what step ${stepId} created: HTTP ${res.statusCode}`);
    } catch (err) {
      log.warn(`could not cancel what step ${stepId} created: ${(err as Error).message}`);
    }
  }
}
