// The interpreter: runs one compiled Arazzo workflow (a Plan) deterministically. Each step is one
// activity; loops wait on durable timers (or, for a step that polls itself, inside the activity's
// retries); long loops continue as new; cancellation calls the providers' cancel operations.
import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowFailure,
  TimeoutFailure,
  continueAsNew,
  executeChild,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type * as activities from '../activities';
import { NON_RETRYABLE_ERRORS, type RunStepInput, type StepOutcome } from '../activities/types';
import { CriterionError } from '../core/criteria';
import { describeFacts, evaluateStep, type ChosenAction, type StepEvaluation } from '../core/evaluate-step';
import { ExpressionError, evaluateExpression, evaluateValue } from '../core/expressions';
import { formatDuration } from '../core/durations';
import { pollDelayMs } from '../core/poll-policy';
import { dependencyOrder, inputsFor, subPlan } from '../core/subworkflows';
import type { ExpressionContext, Plan, PlanStep } from '../core/types';
import type { Duration } from '@temporalio/common';
import { progressQuery } from './queries';
import { runInputOf } from './run-request';
import type { DocumentRunRequest } from '../core/run-request';
import { Resolver } from './resolve';

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
  /** task queue of the HTTP step activities (default: the workflow's own) */
  activityTaskQueue?: string;
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
  /** what `$workflows.<workflowId>` reads: this run's inputs, finished dependencies and child workflows */
  workflows?: Record<string, { inputs?: Record<string, unknown>; outputs?: Record<string, unknown> }>;
  /** workflows of this run's tree that completed (dependsOn), by key in Plan.workflows: each runs once per run */
  completed?: Record<string, CompletedWorkflow>;
  /** the dependsOn workflows have run */
  dependenciesDone?: boolean;
}

export interface CompletedWorkflow {
  workflowId: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
}

export interface ArazzoRunInput {
  plan: Plan;
  inputs: Record<string, unknown>;
  options?: RunOptions;
  /** set when the run continues as new */
  state?: InterpreterState;
  /** set on a child run: dependencies that already ran in the parent's tree, by key */
  completed?: Record<string, CompletedWorkflow>;
  /** how deep this run is nested as a child workflow (0: started by a client) */
  depth?: number;
}

export interface ArazzoRunResult {
  workflowId: string;
  outputs: Record<string, unknown>;
  /**
   * how the run ended: after the last step, or by an `end` action of a step; a `goto` workflowId action
   * transfers the run (transferredTo): its outputs are then that workflow's
   */
  endedBy: { stepId: string; action?: string; transferredTo?: { workflowId: string; childWorkflowId: string } };
  stepRuns: number;
  polls: number;
  /** the last steps executed, newest last */
  trace: TraceEntry[];
  /**
   * Plain statements about outputs that came out null or empty from a step that ran: the step's output
   * expression and what that step's response said (e.g. a status, counts, an error file), so a run whose
   * job ended without the result the document reads never looks like a plain success.
   */
  notes?: string[];
}

const TRACE_LIMIT = 25;
/** child workflows nest at most this deep (a workflow that runs itself) */
const MAX_DEPTH = 32;

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
  for (const m of text.matchAll(/\$workflows\.([A-Za-z0-9_-]+)/g)) if (state.workflows?.[m[1]]) (ctx.workflows ??= {})[m[1]] = state.workflows[m[1]];
  return ctx;
}

/** The innermost message of a child's or activity's failure. */
function failureText(err: unknown): string {
  let e = err as { message?: string; cause?: unknown } | undefined;
  while (e?.cause) e = e.cause as typeof e;
  return e instanceof TimeoutFailure ? 'timed out' : (e?.message ?? String(err));
}

/** A timeout, or retries (of transient failures, or polls) cut off by the timeout. */
const isTimeout = (err: unknown) => (err instanceof ActivityFailure || err instanceof ChildWorkflowFailure) && (err.cause instanceof TimeoutFailure || err.retryState === 'TIMEOUT');

/** A step evaluated in the workflow (a workflow step, or a timed-out step): evaluation errors fail the run. */
function judge(step: PlanStep, ctx: ExpressionContext, exhaustedRetries: string[], failed: boolean): StepEvaluation {
  try {
    return evaluateStep(step, ctx, exhaustedRetries, failed);
  } catch (err) {
    const type = err instanceof CriterionError ? 'ArazzoCriterionError' : err instanceof ExpressionError ? 'ArazzoExpressionError' : 'ArazzoEvaluationError';
    throw ApplicationFailure.nonRetryable(`step ${step.stepId}: ${(err as Error).message}`, type);
  }
}

/** A create resolved by an operator with the id of what it made: the step judged on a 200 answer with body {id}. */
function resolvedOutcome(step: PlanStep, ctx: ExpressionContext, id: string, exhaustedRetries: string[]): StepOutcome {
  const evaluation = judge(step, { ...ctx, statusCode: 200, response: { header: {}, body: { id } } }, exhaustedRetries, false);
  return { stepId: step.stepId, statusCode: 200, success: evaluation.success, outputs: evaluation.outputs, action: evaluation.action, failedCriteria: evaluation.failedCriteria, polls: 0, durationMs: 0 };
}

/** How a step's outcome reads in a message: the HTTP status, or why a step without a response failed. */
function describeOutcome(outcome: StepOutcome): string {
  if (!outcome.statusCode) return outcome.errorMessage ?? 'no response';
  return `HTTP ${outcome.statusCode}${outcome.errorMessage ? ` — ${outcome.errorMessage}` : ''}`;
}

/**
 * For each workflow output that is null or empty and reads `$steps.<id>.outputs.<name>` of a step that ran and
 * got null there: what that step's output expression is and what its response said.
 */
function nullOutputNotes(plan: Plan, outputs: Record<string, unknown>, responded: Record<string, Pick<StepOutcome, 'statusCode' | 'nullOutputs' | 'facts'>>): string[] {
  const notes: string[] = [];
  for (const [name, expr] of Object.entries(plan.outputs)) {
    if (outputs[name] !== null && outputs[name] !== undefined) continue;
    const m = /^\$steps\.([A-Za-z0-9_.-]+?)\.outputs\.([A-Za-z0-9_.-]+)$/.exec(expr.trim());
    const last = m ? responded[m[1]] : undefined;
    if (!m || !last?.nullOutputs?.includes(m[2])) continue;
    const stepExpr = plan.steps.find((s) => s.stepId === m[1])?.outputs[m[2]];
    const said = last.facts ? `; the response (HTTP ${last.statusCode}) said: ${describeFacts(last.facts)}` : ` (HTTP ${last.statusCode})`;
    notes.push(`output ${name} is ${outputs[name] === null ? 'null' : 'empty'}: step ${m[1]} found nothing at ${stepExpr ?? m[2]}${said}`);
  }
  return notes;
}

function describeObserved(observed: Record<string, unknown> | undefined): string {
  const entries = Object.entries(observed ?? {});
  return entries.length ? entries.map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join(', ') : 'no value the criteria test was present';
}

export async function arazzoWorkflow(start: ArazzoRunInput | DocumentRunRequest): Promise<ArazzoRunResult> {
  const input = await runInputOf(start); // a plan as it is, a run request prepared by an activity, anything else refused
  const { plan, inputs } = input;
  const options = input.options ?? {};
  const state = input.state ?? newState();
  const depth = input.depth ?? 0;
  state.workflows ??= { [plan.workflowId]: { inputs } };
  state.completed ??= { ...input.completed };
  const runsAtStart = state.stepRuns;
  const index = (stepId: string) => plan.steps.findIndex((s) => s.stepId === stepId);
  const resolver = new Resolver();
  setHandler(progressQuery, () => ({ index: state.cursor, stepId: plan.steps[state.cursor]?.stepId, stepRuns: state.stepRuns, polls: state.polls, ...(resolver.waiting && { outcomeUnknown: resolver.waiting }) }));

  const activitiesFor = (step: PlanStep, polling: boolean) =>
    proxyActivities<typeof activities>({
      summary: stepLabel(step),
      taskQueue: options.activityTaskQueue,
      startToCloseTimeout: (options.attemptTimeout ?? '10m') as Duration,
      heartbeatTimeout: (options.heartbeatTimeout ?? '30s') as Duration,
      // a step `timeout` bounds the whole step: every attempt and, for a polling step, every poll
      scheduleToCloseTimeout: (step.timeoutMs ?? (polling && step.poll.timeoutMs > 0 ? step.poll.timeoutMs : (options.stepTimeout ?? '1h'))) as Duration,
      // The activity sets the delay of every retry it asks for (poll interval, Retry-After, backoff by
      // failures in a row); the policy's own backoff only applies to an attempt that timed out, e.g. on a
      // worker that died. A polling step's attempt count is mostly polls, so there it must not grow with it
      // (after 12 polls it would already wait 60 s before polling again).
      retry: { initialInterval: '1s', backoffCoefficient: polling ? 1 : 2, maximumInterval: '60s', nonRetryableErrorTypes: NON_RETRYABLE_ERRORS },
      cancellationType: ActivityCancellationType.TRY_CANCEL,
    });

  /** Per step, its last response's null outputs and facts (StepOutcome.nullOutputs / facts), for finish's notes. */
  const responded: Record<string, Pick<StepOutcome, 'statusCode' | 'nullOutputs' | 'facts'>> = {};
  const finish = (endedBy: ArazzoRunResult['endedBy']): ArazzoRunResult => {
    const outputs: Record<string, unknown> = {};
    const ctx = { inputs, steps: state.steps, workflows: state.workflows, sourceDescriptions: plan.sources, outputs };
    for (const [name, expr] of Object.entries(plan.outputs)) outputs[name] = evaluateExpression(expr, ctx);
    const result: ArazzoRunResult = { workflowId: plan.workflowId, outputs, endedBy, stepRuns: state.stepRuns, polls: state.polls, trace: state.trace };
    const notes = nullOutputNotes(plan, outputs, responded);
    if (notes.length) result.notes = notes;
    return result;
  };

  /** Everything a step evaluated in the workflow can refer to. */
  const fullContext = (): ExpressionContext => ({ inputs, steps: state.steps, workflows: state.workflows, sourceDescriptions: plan.sources });

  /** Run the workflow `key` of the plan as a child workflow and return its result. */
  const runChild = (key: string, childInputs: Record<string, unknown>, childId: string, why: string, timeoutMs?: number): Promise<ArazzoRunResult> => {
    const sub = subPlan(plan, key);
    if (!sub) throw ApplicationFailure.nonRetryable(`${why}: workflow ${key} is not in the plan`, 'ArazzoPlanError');
    if (depth >= MAX_DEPTH) throw ApplicationFailure.nonRetryable(`${why}: child workflows nest more than ${MAX_DEPTH} deep (does a workflow run itself?)`, 'ArazzoNestingLimit');
    return executeChild(arazzoWorkflow, {
      workflowId: childId,
      args: [{ plan: sub, inputs: childInputs, options, completed: state.completed, depth: depth + 1 }],
      staticSummary: `${sub.document.title || sub.document.file} · ${sub.workflowId} (${why})`.slice(0, 200),
      memo: { arazzoDocument: sub.document.file, arazzoWorkflowId: sub.workflowId },
      ...(timeoutMs !== undefined && { workflowExecutionTimeout: timeoutMs }),
    });
  };

  /** Dependencies (dependsOn closure) first, each as a child workflow, once per run tree. */
  const runDependencies = async () => {
    for (const key of dependencyOrder(plan)) {
      const dep = plan.workflows?.[key];
      if (!dep) continue;
      let done = state.completed![key];
      if (!done) {
        const depInputs = inputsFor(dep, inputs);
        try {
          const result = await runChild(key, depInputs, `${workflowInfo().workflowId}/dependsOn/${key}`, `dependency of ${plan.workflowId}`);
          done = state.completed![key] = { workflowId: dep.workflowId, inputs: depInputs, outputs: result.outputs };
        } catch (err) {
          if (isCancellation(err) || !(err instanceof ChildWorkflowFailure)) throw err;
          throw ApplicationFailure.nonRetryable(`workflow ${plan.workflowId} depends on workflow ${dep.workflowId}, which failed: ${failureText(err)}`, 'ArazzoDependencyFailed', { workflowId: dep.workflowId });
        }
      }
      state.workflows![done.workflowId] = { inputs: done.inputs, outputs: done.outputs };
    }
    state.dependenciesDone = true;
  };

  /** A step with workflowId: the child's outputs become `$workflows.<id>.outputs`; its failure fails the step. */
  const runWorkflowStep = async (step: PlanStep, visit: number, exhaustedRetries: string[]): Promise<StepOutcome> => {
    const target = step.workflow!;
    const started = Date.now();
    let childInputs: Record<string, unknown>;
    try {
      childInputs = evaluateValue(target.inputs, fullContext()) as Record<string, unknown>;
    } catch (err) {
      throw ApplicationFailure.nonRetryable(`step ${step.stepId}: the inputs of workflow ${target.workflowId}: ${(err as Error).message}`, 'ArazzoExpressionError');
    }
    let failure: string | undefined;
    try {
      const result = await runChild(target.key, childInputs, `${workflowInfo().workflowId}/${step.stepId}/${visit}`, `step ${step.stepId} of ${plan.workflowId}`, step.timeoutMs);
      state.workflows![target.workflowId] = { inputs: childInputs, outputs: result.outputs };
    } catch (err) {
      if (isCancellation(err) || !(err instanceof ChildWorkflowFailure)) throw err;
      failure = isTimeout(err) ? `workflow ${target.workflowId} timed out after ${formatDuration(step.timeoutMs ?? 0)}` : `workflow ${target.workflowId} failed: ${failureText(err)}`;
      state.workflows![target.workflowId] = { inputs: childInputs, outputs: {} };
    }
    const evaluation = judge(step, fullContext(), exhaustedRetries, failure !== undefined);
    return {
      stepId: step.stepId,
      statusCode: 0,
      success: evaluation.success,
      outputs: evaluation.outputs,
      action: evaluation.action,
      failedCriteria: evaluation.failedCriteria,
      polls: 0,
      durationMs: Date.now() - started,
      ...(failure !== undefined && { errorMessage: failure }),
    };
  };

  const runOne = async (step: PlanStep): Promise<StepOutcome> => {
    const visit = (state.visits[step.stepId] = (state.visits[step.stepId] ?? 0) + 1);
    const polling = !step.workflow && selfLooping(step) && ['GET', 'HEAD'].includes(step.operation.method);
    const exhaustedRetries = step.onFailure
      .concat(step.onSuccess)
      .filter((a) => a.type === 'retry' && (state.retries[`${step.stepId}:${a.name}`] ?? 0) >= (a.retryLimit ?? 1))
      .map((a) => a.name);
    let outcome: StepOutcome;
    if (step.workflow) outcome = await runWorkflowStep(step, visit, exhaustedRetries);
    else {
      try {
        const call = (resend: boolean) => () =>
          activitiesFor(step, polling).runStep({
            step,
            context: contextFor(step, plan, inputs, state),
            idempotencyKey: `${workflowInfo().workflowId}/${step.stepId}/${visit}`,
            exhaustedRetries,
            pollInActivity: polling,
            ...(resend && { resend }),
          });
        // A cancel of the run does not interrupt a step that creates something its x-temporal-cancel can
        // stop: a create request in flight may already have created the object, so the run waits for the
        // answer (and the step's retries) and then cancels what was created instead of leaking it.
        // An unknown outcome of a create waits for the operator's resolve Update (resolve.ts).
        outcome = await resolver.guard(
          step.stepId,
          (resend) => (step.cancel ? CancellationScope.nonCancellable(call(resend)) : call(resend)()),
          (id) => resolvedOutcome(step, { ...fullContext(), method: step.operation.method, url: step.operation.serverUrl + step.operation.path }, id, exhaustedRetries),
        );
      } catch (err) {
        // a step `timeout` that ran out fails the step (its failure actions apply); other failures fail the run
        if (step.timeoutMs === undefined || !isTimeout(err)) throw err;
        const evaluation = judge(step, fullContext(), exhaustedRetries, true);
        outcome = {
          stepId: step.stepId,
          statusCode: 0,
          success: false,
          outputs: evaluation.outputs,
          action: evaluation.action,
          failedCriteria: [],
          polls: 0,
          durationMs: step.timeoutMs,
          errorMessage: `timed out after ${formatDuration(step.timeoutMs)} (step timeout)`,
        };
      }
    }
    state.stepRuns++;
    state.polls += outcome.polls;
    state.trace = [...state.trace, { stepId: step.stepId, statusCode: outcome.statusCode, success: outcome.success, action: outcome.action?.name, polls: outcome.polls }].slice(-TRACE_LIMIT);
    state.steps[step.stepId] = { outputs: outcome.outputs };
    responded[step.stepId] = { statusCode: outcome.statusCode, nullOutputs: outcome.nullOutputs, facts: outcome.facts };
    if (outcome.success && step.cancel && !state.cancelable.includes(step.stepId)) state.cancelable.push(step.stepId);
    // cancelled while that create ran: stop here, even if it was the last step (the catch cancels what it created)
    if (step.cancel && CancellationScope.current().consideredCancelled) await CancellationScope.current().cancelRequested;
    return outcome;
  };

  const clearRetries = (stepId: string) => {
    for (const key of Object.keys(state.retries)) if (key.startsWith(`${stepId}:`)) delete state.retries[key];
  };

  /** Inputs of a goto/retry workflow target: the action's parameters (Arazzo 1.1), else the run's inputs it declares. */
  const actionInputs = (action: ChosenAction, target: Plan) => action.inputs ?? inputsFor(target, inputs);

  /** goto workflowId: one-way transfer. The target runs as a child; this run ends with the child's outputs. */
  const transfer = async (step: PlanStep, action: ChosenAction): Promise<ArazzoRunResult> => {
    const target = plan.workflows?.[action.workflowKey as string];
    if (!target) throw ApplicationFailure.nonRetryable(`step ${step.stepId}: workflow ${action.workflowKey} is not in the plan`, 'ArazzoPlanError');
    const childId = `${workflowInfo().workflowId}/${step.stepId}/${state.visits[step.stepId]}/${action.name}`;
    try {
      const result = await runChild(action.workflowKey as string, actionInputs(action, target), childId, `goto from step ${step.stepId} of ${plan.workflowId}`);
      return {
        workflowId: plan.workflowId,
        outputs: result.outputs,
        endedBy: { stepId: step.stepId, action: action.name, transferredTo: { workflowId: target.workflowId, childWorkflowId: childId } },
        stepRuns: state.stepRuns,
        polls: state.polls,
        trace: state.trace,
      };
    } catch (err) {
      if (isCancellation(err) || !(err instanceof ChildWorkflowFailure)) throw err;
      throw ApplicationFailure.nonRetryable(`step ${step.stepId}: action "${action.name}" transferred the run to workflow ${target.workflowId}, which failed: ${failureText(err)}`, 'ArazzoTransferFailed', {
        stepId: step.stepId,
        workflowId: target.workflowId,
      });
    }
  };

  /** retry with stepId/workflowId: run that step (its own actions are not followed) or workflow before the retry. */
  const runRetryTarget = async (step: PlanStep, action: ChosenAction, used: number): Promise<void> => {
    if (action.stepId !== undefined) {
      const helper = plan.steps[index(action.stepId)];
      const o = await runOne(helper);
      if (!o.success) {
        throw ApplicationFailure.nonRetryable(`step ${step.stepId}: retry action "${action.name}" first runs step ${helper.stepId}, which failed: ${describeOutcome(o)}`, 'ArazzoStepFailed', {
          stepId: helper.stepId,
          statusCode: o.statusCode,
          failedCriteria: o.failedCriteria,
        });
      }
      return;
    }
    const target = plan.workflows?.[action.workflowKey as string];
    if (!target) throw ApplicationFailure.nonRetryable(`step ${step.stepId}: workflow ${action.workflowKey} is not in the plan`, 'ArazzoPlanError');
    const childInputs = actionInputs(action, target);
    const childId = `${workflowInfo().workflowId}/${step.stepId}/${state.visits[step.stepId]}/${action.name}`;
    try {
      const result = await runChild(action.workflowKey as string, childInputs, childId, `retry ${used} of step ${step.stepId} of ${plan.workflowId}`);
      state.workflows![target.workflowId] = { inputs: childInputs, outputs: result.outputs };
    } catch (err) {
      if (isCancellation(err) || !(err instanceof ChildWorkflowFailure)) throw err;
      throw ApplicationFailure.nonRetryable(`step ${step.stepId}: retry action "${action.name}" first runs workflow ${target.workflowId}, which failed: ${failureText(err)}`, 'ArazzoStepFailed', {
        stepId: step.stepId,
        workflowId: target.workflowId,
      });
    }
  };

  try {
    if (!state.dependenciesDone) await runDependencies();
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
            `step ${step.stepId} failed: ${describeOutcome(outcome)}${outcome.failedCriteria.length ? ` (successCriteria not met: ${outcome.failedCriteria.join('; ')})` : ''}`,
            'ArazzoStepFailed',
            { stepId: step.stepId, statusCode: outcome.statusCode, failedCriteria: outcome.failedCriteria },
          );
        }
        const guarded = step.onSuccess.length > 0 && step.onSuccess.every((a) => a.criteria?.length);
        if (guarded && loopsBack(plan, state.cursor) && options.onUnmatched !== 'continue') {
          const next = plan.steps[state.cursor + 1]?.stepId;
          throw ApplicationFailure.nonRetryable(
            `step ${step.stepId}: the response matched none of its actions (${step.onSuccess.map((a) => a.name).join(', ')}): ${describeObserved(outcome.observed)}. ` +
              `The document has no branch for this outcome, so the run stops here${next ? ` instead of going on to step ${next}` : ''}.` +
              (outcome.facts ? ` The response said: ${describeFacts(outcome.facts)}.` : ''),
            'ArazzoUnhandledOutcome',
            { stepId: step.stepId, observed: outcome.observed, outputs: outcome.outputs },
          );
        }
        clearRetries(step.stepId);
        state.cursor++;
      } else if (action.type === 'end') {
        if (!outcome.success) {
          throw ApplicationFailure.nonRetryable(`step ${step.stepId} failed (${outcome.statusCode ? `HTTP ${outcome.statusCode}` : describeOutcome(outcome)}) and its action "${action.name}" ended the run`, 'ArazzoEndedOnFailure', {
            stepId: step.stepId,
            outputs: finish({ stepId: step.stepId, action: action.name }).outputs,
          });
        }
        return finish({ stepId: step.stepId, action: action.name });
      } else if (action.type === 'goto' && action.workflowKey !== undefined) {
        return await transfer(step, action);
      } else if (action.type === 'goto') {
        const target = index(action.stepId as string);
        clearRetries(step.stepId);
        if (target <= state.cursor) {
          const n = (state.loops[action.stepId as string] = (state.loops[action.stepId as string] ?? 0) + 1);
          const wait = pollDelayMs(step.poll, n);
          await sleep(wait, { summary: `${step.stepId} → ${action.stepId}: loop ${n}, waiting ${formatDuration(wait)}` });
        }
        state.cursor = target;
      } else {
        const key = `${step.stepId}:${action.name}`;
        const used = (state.retries[key] = (state.retries[key] ?? 0) + 1);
        // never earlier than the server's hint nor the action's retryAfter (histories from before wait the hint alone)
        const wait = patched('retry-wait-at-least-hint') ? Math.max(outcome.retryAfterMs ?? 0, (action.retryAfter ?? 0) * 1000) : (outcome.retryAfterMs ?? (action.retryAfter ?? 0) * 1000);
        log.info(`step ${step.stepId}: retry ${used}/${action.retryLimit ?? 1} (${action.name}) in ${formatDuration(wait)}`);
        if (wait > 0) await sleep(wait, { summary: `${step.stepId}: retry ${used} (${action.name})` });
        if (action.stepId !== undefined || action.workflowKey !== undefined) await runRetryTarget(step, action, used);
      }

      if (state.cursor < plan.steps.length && (workflowInfo().continueAsNewSuggested || state.stepRuns - runsAtStart >= (options.continueAsNewAfter ?? 500))) {
        await continueAsNew<typeof arazzoWorkflow>({ plan, inputs, options, state, depth });
      }
    }
    return finish({ stepId: plan.steps[plan.steps.length - 1].stepId });
  } catch (err) {
    if (isCancellation(err) && state.cancelable.length) {
      await CancellationScope.nonCancellable(() => cancelCreated(plan, inputs, state, options.activityTaskQueue));
    }
    throw err;
  }
}

/** Stop what the run created, newest first, with each create step's x-temporal-cancel operation. */
async function cancelCreated(plan: Plan, inputs: Record<string, unknown>, state: InterpreterState, taskQueue?: string): Promise<void> {
  for (const stepId of [...state.cancelable].reverse()) {
    const cancel = plan.steps.find((s) => s.stepId === stepId)?.cancel;
    if (!cancel) continue;
    const act = proxyActivities<typeof activities>({
      summary: `cancel ${stepLabel(cancel)}`,
      taskQueue,
      startToCloseTimeout: '1m',
      scheduleToCloseTimeout: '10m',
      // a 409 Conflict on a cancel says the object is in a state that cannot be cancelled (it has ended): final
      retry: { initialInterval: '1s', maximumInterval: '30s', nonRetryableErrorTypes: [...NON_RETRYABLE_ERRORS, 'ArazzoHttp409'] },
    });
    try {
      const res = await act.cancelCreated({
        stepId,
        step: cancel,
        context: contextFor(cancel, plan, inputs, state),
        idempotencyKey: `${workflowInfo().workflowId}/${cancel.stepId}/1`,
      });
      if (res.statusCode >= 400) log.warn(`the cancel of what step ${stepId} created was refused: HTTP ${res.statusCode}${res.body ? ` — ${String(res.body)}` : ''}`);
      else log.info(`cancelled what step ${stepId} created: HTTP ${res.statusCode}`);
    } catch (err) {
      const cause = (err as { cause?: Error }).cause?.message; // the activity's own message (e.g. the HTTP status and the provider's words)
      log.warn(`could not cancel what step ${stepId} created: ${cause ?? (err as Error).message}`);
    }
  }
}
