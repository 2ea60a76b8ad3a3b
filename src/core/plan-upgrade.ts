// Plans of older versions, as runs started before an upgrade of the worker hold them in their history,
// turned into the current shape. Pure: the workflow calls it on entry, the step activity on its input.
import { parsePlanExpressions, parseStepExpressions } from './expr/plan-expressions';
import { PLAN_VERSION, type OperationStep, type Plan, type PlanAction, type PlanStep } from './plan';

/** A plan this code cannot run. */
export class PlanVersionError extends Error {}

type Loose = Record<string, unknown>;

/**
 * Version 1 (before the plan became a discriminated union): every step had an `operation` (a fake
 * `{method: 'WORKFLOW'}` one for a workflow step, which carried `workflow`), actions carried every field of
 * every type, and steps and plan carried positions and warnings.
 */
function stepFromV1(raw: Loose): PlanStep {
  const {
    pos: _pos,
    docPath: _docPath,
    workflow,
    operation,
    parameters,
    requestBody,
    responseHeaders,
    cancel,
    onSuccess,
    onFailure,
    ...base
  } = raw;
  const common = {
    ...base,
    onSuccess: (onSuccess as Loose[]).map(actionFromV1),
    onFailure: (onFailure as Loose[]).map(actionFromV1),
  } as Omit<PlanStep, 'kind'>;
  if (workflow) return { ...common, kind: 'workflow', workflow } as PlanStep;
  return {
    ...common,
    kind: 'operation',
    operation,
    parameters,
    responseHeaders,
    ...(requestBody !== undefined && { requestBody }),
    ...(cancel !== undefined && { cancel }),
  } as OperationStep;
}

function actionFromV1(raw: Loose): PlanAction {
  const { parameters: _parameters, ...a } = raw;
  const defined = Object.fromEntries(Object.entries(a).filter(([, v]) => v !== undefined));
  if (a.type === 'end') return { type: 'end', name: a.name, ...(a.criteria !== undefined && { criteria: a.criteria }) } as PlanAction;
  if (a.type === 'goto') {
    const { retryAfter: _ra, retryLimit: _rl, ...goto } = defined;
    return goto as unknown as PlanAction;
  }
  return defined as unknown as PlanAction;
}

/** Version 1 in the shape of version 2 (whose expressions are not parsed yet). */
function planFromV1(raw: Loose): Plan {
  const { warnings: _warnings, steps, workflows, ...rest } = raw;
  return {
    ...(rest as Omit<Plan, 'steps'>),
    planVersion: PLAN_VERSION,
    steps: (steps as Loose[]).map(stepFromV1),
    ...(workflows !== undefined && {
      workflows: Object.fromEntries(Object.entries(workflows as Record<string, Loose>).map(([k, p]) => [k, planFromV1(p)])),
    }),
  };
}

/** The plan in the current shape; throws PlanVersionError for a version this code does not know. */
export function upgradePlan(plan: unknown): Plan {
  const version = (plan as Loose | undefined)?.planVersion;
  if (version === PLAN_VERSION) return plan as Plan;
  // version 2 carried expressions, conditions and criteria as text: they are parsed now, as the compiler does
  if (version === 2) return parsePlanExpressions({ ...(plan as Plan), planVersion: PLAN_VERSION });
  if (version === 1) return parsePlanExpressions(planFromV1(plan as Loose));
  throw new PlanVersionError(
    `the run's plan has version ${JSON.stringify(version)}, and this worker runs plan versions 1, 2 and ${PLAN_VERSION}: start the run again with a client of the same release as the worker`,
  );
}

/** One step in the current shape (a step activity scheduled by an older workflow carries a version-1 or -2 step). */
export function upgradeStep(step: PlanStep | Loose): PlanStep {
  if ('kind' in step && step.kind && 'expressions' in step) return step as PlanStep;
  return parseStepExpressions('kind' in step && step.kind ? (step as PlanStep) : stepFromV1(step as Loose));
}
