// Actions as the plan holds them: references resolved, only each type's fields, goto/retry targets checked.
import { didYouMean } from '../suggest';
import type { Compiler } from './compiler';
import type { PlanAction } from '../plan';
import type { ArazzoAction, ReusableRef } from '../types';
import { resolveRef, workflowInputs, checkInputExpressions } from './parameters';
import { workflowRef } from './sub-workflows';
import type { Where } from './types';

export function actions(
  c: Compiler,
  list: (ArazzoAction | ReusableRef)[],
  listPath: (string | number)[],
  kind: 'successActions' | 'failureActions',
  stepIds: Set<string>,
  where: { workflowId?: string; stepId?: string },
): PlanAction[] {
  const out: PlanAction[] = [];
  list.forEach((raw, i) => {
    const action = resolveRef<ArazzoAction>(c, raw, kind, [...listPath, i], where);
    const planned = action && planAction(c, action, [...listPath, i], kind, stepIds, where);
    if (planned) out.push(planned);
  });
  return out;
}

/** One action as the plan holds it: only its type's fields, a workflow target resolved to its key. */
export function planAction(
  c: Compiler,
  action: ArazzoAction,
  at: (string | number)[],
  kind: 'successActions' | 'failureActions',
  stepIds: Set<string>,
  where: Where,
): PlanAction | undefined {
  const base = { name: action.name, ...(action.criteria !== undefined && { criteria: action.criteria }) };
  if (!['end', 'goto', 'retry'].includes(action.type)) {
    c.report(
      'error',
      'bad-action',
      `action "${action.name}" has type "${action.type}"; expected end, goto or retry`,
      [...at, 'type'],
      where,
    );
    return undefined;
  }
  if (action.type === 'retry' && kind === 'successActions') {
    c.report(
      'warning',
      'retry-on-success',
      `action "${action.name}": retry under onSuccess is not in the spec; run as "re-run this step after retryAfter, at most retryLimit times"`,
      at,
      where,
    );
  }
  if (action.type === 'end') return { type: 'end', ...base };
  const retry =
    action.type === 'retry'
      ? {
          ...(action.retryAfter !== undefined && { retryAfter: action.retryAfter }),
          ...(action.retryLimit !== undefined && { retryLimit: action.retryLimit }),
        }
      : {};
  if (action.stepId !== undefined && action.workflowId !== undefined) {
    c.report('error', 'bad-action', `action "${action.name}" names both a stepId and a workflowId; it can go to one`, at, where);
  } else if (action.workflowId !== undefined) {
    const target = workflowRef(c, action.workflowId, [...at, 'workflowId'], where);
    const inputs = workflowInputs(c, action.parameters, [...at, 'parameters'], where);
    if (inputs) checkInputExpressions(c, inputs, [...at, 'parameters'], where);
    const workflow = { workflowId: action.workflowId, ...(target && { workflowKey: target.key }), ...(inputs && { inputs }) };
    return { type: action.type, ...base, ...retry, ...workflow };
  } else if ((action.type === 'goto' || action.stepId !== undefined) && !stepIds.has(action.stepId as string)) {
    c.report(
      'error',
      'unknown-step',
      `action "${action.name}" goes to step "${action.stepId}", which does not exist in workflow "${where.workflowId}"${didYouMean(String(action.stepId), stepIds)}`,
      [...at, 'stepId'],
      where,
    );
  }
  return { type: action.type, ...base, ...retry, ...(action.stepId !== undefined && { stepId: action.stepId }) };
}
