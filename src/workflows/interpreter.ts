// The interpreter: runs one compiled Arazzo workflow (a Plan) deterministically, in the shape of the
// dsl-interpreter sample: the dependencies first, then a loop over the steps and a switch on the action each
// step's outcome chose. Steps run in ./steps.ts, child workflows in ./children.ts, the counters in
// ./state.ts, cancellation in ./cancel.ts.
import { runInputOf } from './run-request';
import type { DocumentRunRequest } from '../core/run-request';
import { ApplicationFailure, continueAsNew, isCancellation, log, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import { changed } from './revision';
import type { StepOutcome } from '../core/contract';
import { describeFacts, type ChosenAction } from '../core/evaluate-step';
import { nullOutputNotes } from './notes';
import { Resolver } from './resolve';
import { evaluateOutput } from '../core/expr';
import { withXPathAnswers } from './xpath-selections';
import { formatDuration } from '../core/durations';
import { loopsBack, type Plan, type PlanStep } from '../core/plan';
import { PlanVersionError, upgradePlan } from '../core/plan-upgrade';
import { finiteDelayMs, pollDelayMs } from '../core/poll-policy';
import { dependencyOrder, inputsFor } from '../core/subworkflows';
import { cancelCreated } from './cancel';
import { runChildOrFail } from './children';
import { progressQuery } from './queries';
import { normalizedFields, runResult, type ArazzoRunInput, type ArazzoRunResult, type Run } from './run';
import { clearRetries, countLoop, newState, useRetry } from './state';
import { runStep } from './steps';
import { useMessages } from './async-steps';
import { StatusTracker } from './status';

/** A goto or retry action as chosen (not `end`). */
type ChosenTarget = Exclude<ChosenAction, { type: 'end' }>;
/** What the loop does after a step: go on at `state.cursor`, or end the run with this result. */
type Next = { end: ArazzoRunResult } | undefined;

/** The run's plan in the current shape; a plan of a version this worker does not know fails the run (not the task). */
function planOf(input: ArazzoRunInput): Plan {
  try {
    return upgradePlan(input.plan);
  } catch (err) {
    if (err instanceof PlanVersionError) throw ApplicationFailure.nonRetryable(err.message, 'ArazzoPlanVersion');
    throw err;
  }
}

/** How a step's outcome reads in a message: the HTTP status, or why a step without a response failed. */
function describeOutcome(outcome: StepOutcome): string {
  if (!outcome.statusCode) return outcome.errorMessage ?? 'no response';
  return `HTTP ${outcome.statusCode}${outcome.errorMessage ? ` — ${outcome.errorMessage}` : ''}`;
}

function describeObserved(observed: Record<string, unknown> | undefined): string {
  const entries = Object.entries(observed ?? {});
  return entries.length ? entries.map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join(', ') : 'no value the criteria test was present';
}

/** The run's outputs, evaluated at its end. */
async function finish(run: Run, endedBy: ArazzoRunResult['endedBy']): Promise<ArazzoRunResult> {
  const outputs: Record<string, unknown> = {};
  const ctx = await withXPathAnswers(run.plan.outputs, {
    inputs: run.inputs,
    steps: run.state.steps,
    workflows: run.state.workflows,
    sourceDescriptions: run.plan.sources,
    outputs,
  });
  for (const [name, expr] of Object.entries(run.plan.outputs)) outputs[name] = evaluateOutput(expr, ctx, run.plan.expressions);
  const result = runResult(run, outputs, endedBy);
  const notes = nullOutputNotes(run, outputs);
  if (notes.length) result.notes = notes;
  return result;
}

/** Dependencies (dependsOn closure) first, each as a child workflow, once per run tree. */
async function runDependencies(run: Run): Promise<void> {
  const { plan, inputs, state } = run;
  for (const key of dependencyOrder(plan)) {
    const dep = plan.workflows?.[key];
    if (!dep) continue;
    let done = state.completed![key];
    if (!done) {
      const depInputs = inputsFor(dep, inputs);
      const child = {
        key,
        inputs: depInputs,
        id: `${workflowInfo().workflowId}/dependsOn/${key}`,
        why: `dependency of ${plan.workflowId}`,
      };
      const message = (failure: string) => `workflow ${plan.workflowId} depends on workflow ${dep.workflowId}, which failed: ${failure}`;
      const result = await runChildOrFail(run, child, 'ArazzoDependencyFailed', message, { workflowId: dep.workflowId });
      done = state.completed![key] = {
        workflowId: dep.workflowId,
        inputs: depInputs,
        outputs: result.outputs,
        completedSteps: result.completedSteps,
      };
    }
    state.workflows![done.workflowId] = { inputs: done.inputs, outputs: done.outputs, completedSteps: done.completedSteps };
  }
  state.dependenciesDone = true;
}

/** The workflow a goto/retry action runs, and its inputs: the action's parameters (Arazzo 1.1), else the run's inputs it declares. */
function actionTarget(
  run: Run,
  step: PlanStep,
  action: ChosenTarget,
): { key: string; target: Plan; inputs: Record<string, unknown>; id: string } {
  const key = action.workflowKey as string;
  const target = run.plan.workflows?.[key];
  if (!target) throw ApplicationFailure.nonRetryable(`step ${step.stepId}: workflow ${key} is not in the plan`, 'ArazzoPlanError');
  return {
    key,
    target,
    inputs: action.inputs ?? inputsFor(target, run.inputs),
    id: `${workflowInfo().workflowId}/${step.stepId}/${run.state.visits[step.stepId]}/${action.name}`,
  };
}

/** goto workflowId: one-way transfer. The target runs as a child; this run ends with the child's outputs. */
async function transfer(run: Run, step: PlanStep, action: ChosenTarget): Promise<ArazzoRunResult> {
  const { key, target, inputs, id } = actionTarget(run, step, action);
  const message = (failure: string) =>
    `step ${step.stepId}: action "${action.name}" transferred the run to workflow ${target.workflowId}, which failed: ${failure}`;
  const child = { key, inputs, id, why: `goto from step ${step.stepId} of ${run.plan.workflowId}` };
  const result = await runChildOrFail(run, child, 'ArazzoTransferFailed', message, { stepId: step.stepId, workflowId: target.workflowId });
  return runResult(run, result.outputs, {
    stepId: step.stepId,
    action: action.name,
    transferredTo: { workflowId: target.workflowId, childWorkflowId: id },
  });
}

/** retry with stepId/workflowId: run that step (its own actions are not followed) or workflow before the retry. */
async function runRetryTarget(run: Run, step: PlanStep, action: ChosenTarget, used: number): Promise<void> {
  if (action.stepId !== undefined) {
    const helper = run.plan.steps.find((s) => s.stepId === action.stepId)!;
    const o = await runStep(run, helper);
    if (o.success) return;
    throw ApplicationFailure.nonRetryable(
      `step ${step.stepId}: retry action "${action.name}" first runs step ${helper.stepId}, which failed: ${describeOutcome(o)}`,
      'ArazzoStepFailed',
      {
        stepId: helper.stepId,
        statusCode: o.statusCode,
        failedCriteria: o.failedCriteria,
      },
    );
  }
  const { key, target, inputs, id } = actionTarget(run, step, action);
  const message = (failure: string) =>
    `step ${step.stepId}: retry action "${action.name}" first runs workflow ${target.workflowId}, which failed: ${failure}`;
  const child = { key, inputs, id, why: `retry ${used} of step ${step.stepId} of ${run.plan.workflowId}` };
  const result = await runChildOrFail(run, child, 'ArazzoStepFailed', message, { stepId: step.stepId, workflowId: target.workflowId });
  run.state.workflows![target.workflowId] = { inputs, outputs: result.outputs, completedSteps: result.completedSteps };
}

/** No action matched: a failed step fails the run; a poll whose response matched none of its branches too (unless told to go on). */
function noAction(run: Run, step: PlanStep, outcome: StepOutcome): Next {
  const { plan, state, options } = run;
  if (!outcome.success) {
    const unmet = outcome.failedCriteria.length ? ` (successCriteria not met: ${outcome.failedCriteria.join('; ')})` : '';
    throw ApplicationFailure.nonRetryable(`step ${step.stepId} failed: ${describeOutcome(outcome)}${unmet}`, 'ArazzoStepFailed', {
      stepId: step.stepId,
      statusCode: outcome.statusCode,
      failedCriteria: outcome.failedCriteria,
      ...normalizedFields(state),
    });
  }
  const guarded = step.onSuccess.length > 0 && step.onSuccess.every((a) => a.criteria?.length);
  const loops = [...step.onSuccess, ...step.onFailure].some((a) => loopsBack(plan.steps, state.cursor, a));
  if (guarded && loops && options.onUnmatched !== 'continue') {
    const next = plan.steps[state.cursor + 1]?.stepId;
    throw ApplicationFailure.nonRetryable(
      `step ${step.stepId}: the response matched none of its actions (${step.onSuccess.map((a) => a.name).join(', ')}): ${describeObserved(outcome.observed)}. ` +
        `The document has no branch for this outcome, so the run stops here${next ? ` instead of going on to step ${next}` : ''}.` +
        (outcome.facts ? ` The response said: ${describeFacts(outcome.facts)}.` : ''),
      'ArazzoUnhandledOutcome',
      { stepId: step.stepId, observed: outcome.observed, outputs: outcome.outputs, ...normalizedFields(state) },
    );
  }
  clearRetries(state, step.stepId);
  state.cursor++;
  return undefined;
}

async function end(run: Run, step: PlanStep, outcome: StepOutcome, action: ChosenAction): Promise<Next> {
  const result = await finish(run, { stepId: step.stepId, action: action.name });
  if (outcome.success) return { end: result };
  const status = outcome.statusCode ? `HTTP ${outcome.statusCode}` : describeOutcome(outcome);
  throw ApplicationFailure.nonRetryable(
    `step ${step.stepId} failed (${status}) and its action "${action.name}" ended the run`,
    'ArazzoEndedOnFailure',
    { stepId: step.stepId, outputs: result.outputs },
  );
}

/** goto a step: a backward goto is a loop iteration and waits on a durable timer first. */
async function goto(run: Run, step: PlanStep, stepId: string): Promise<Next> {
  const { plan, state } = run;
  const target = plan.steps.findIndex((s) => s.stepId === stepId);
  clearRetries(state, step.stepId);
  if (target <= state.cursor) {
    const n = countLoop(state, stepId);
    const wait = pollDelayMs(step.poll, n);
    run.status?.waiting(wait);
    await sleep(wait, { summary: `${step.stepId} → ${stepId}: loop ${n}, waiting ${formatDuration(wait)}` });
  }
  state.cursor = target;
  return undefined;
}

async function retry(run: Run, step: PlanStep, outcome: StepOutcome, action: Extract<ChosenAction, { type: 'retry' }>): Promise<Next> {
  const used = useRetry(run.state, step.stepId, action.name);
  // never earlier than the server's hint nor the action's retryAfter (histories from before wait the hint alone)
  const wait = finiteDelayMs(
    changed('retry-wait-at-least-hint')
      ? Math.max(outcome.retryAfterMs ?? 0, (action.retryAfter ?? 0) * 1000)
      : (outcome.retryAfterMs ?? (action.retryAfter ?? 0) * 1000),
  );
  log.info(`step ${step.stepId}: retry ${used}/${action.retryLimit ?? 1} (${action.name}) in ${formatDuration(wait)}`);
  if (wait > 0) run.status?.waiting(wait);
  if (wait > 0) await sleep(wait, { summary: `${step.stepId}: retry ${used} (${action.name})` });
  if (action.stepId !== undefined || action.workflowKey !== undefined) await runRetryTarget(run, step, action, used);
  return undefined;
}

/** What the action a step chose does. */
function follow(run: Run, step: PlanStep, outcome: StepOutcome): Next | Promise<Next> {
  const action = outcome.action;
  if (!action) return noAction(run, step, outcome);
  switch (action.type) {
    case 'end':
      return end(run, step, outcome, action);
    case 'goto':
      return action.workflowKey !== undefined
        ? transfer(run, step, action).then((r) => ({ end: r }))
        : goto(run, step, action.stepId as string);
    case 'retry':
      return retry(run, step, outcome, action);
  }
}

async function runSteps(run: Run): Promise<ArazzoRunResult> {
  const { plan, state, options } = run;
  const runsAtStart = state.stepRuns;
  if (!state.dependenciesDone) await runDependencies(run);
  while (state.cursor < plan.steps.length) {
    const step = plan.steps[state.cursor];
    if (options.maxStepRuns && state.stepRuns >= options.maxStepRuns) {
      throw ApplicationFailure.nonRetryable(
        `the run reached its limit of ${options.maxStepRuns} step executions at step ${step.stepId}`,
        'ArazzoStepBudget',
      );
    }
    const next = await follow(run, step, await runStep(run, step));
    if (next) return next.end;
    if (
      state.cursor < plan.steps.length &&
      (workflowInfo().continueAsNewSuggested || state.stepRuns - runsAtStart >= (options.continueAsNewAfter ?? 500))
    ) {
      await continueAsNew<(input: ArazzoRunInput) => Promise<ArazzoRunResult>>({
        plan,
        inputs: run.inputs,
        options,
        state,
        depth: run.depth,
      });
    }
  }
  return await finish(run, { stepId: plan.steps[plan.steps.length - 1].stepId });
}

export async function arazzoWorkflow(start: ArazzoRunInput | DocumentRunRequest): Promise<ArazzoRunResult> {
  const input = await runInputOf(start); // a plan as it is, a run request prepared by an activity, anything else refused
  const plan = planOf(input);
  const state = input.state ?? newState();
  state.workflows ??= { [plan.workflowId]: { inputs: input.inputs } };
  state.completed ??= { ...input.completed };
  const resolver = new Resolver();
  const run: Run = { plan, inputs: input.inputs, options: input.options ?? {}, state, depth: input.depth ?? 0, responded: {}, resolver };
  useMessages(state);
  run.status = new StatusTracker(run, () => resolver.waiting);
  setHandler(progressQuery, () => ({
    index: state.cursor,
    stepId: plan.steps[state.cursor]?.stepId,
    stepRuns: state.stepRuns,
    polls: state.polls,
    ...(resolver.waiting && { outcomeUnknown: resolver.waiting }),
    ...normalizedFields(state),
  }));
  try {
    return await runSteps(run);
  } catch (err) {
    if (isCancellation(err) && state.cancelable.length) await cancelCreated(run);
    throw err;
  } finally {
    // the last step's search-attribute changes (revision 3 holds them for one upsert), before the run closes
    run.status.flush();
  }
}
