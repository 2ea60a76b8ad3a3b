// response → outcome: judge one step's response with its successCriteria, pick the first matching
// action, and compute its outputs. Pure and deterministic; the activity calls it right after the HTTP
// call so that poll loops can be decided without a round trip through workflow history.
import { evaluateCriterion } from './criteria';
import { evaluateExpression } from './expressions';
import type { ArazzoAction, Criterion, ExpressionContext, PlanStep } from './types';

export interface StepResponse {
  statusCode: number;
  /** lower-case header names */
  headers: Record<string, string>;
  body: unknown;
}

export interface ChosenAction {
  name: string;
  type: ArazzoAction['type'];
  stepId?: string;
  workflowId?: string;
  retryAfter?: number;
  retryLimit?: number;
  /** the list it came from */
  on: 'success' | 'failure';
}

export interface StepEvaluation {
  success: boolean;
  outputs: Record<string, unknown>;
  action?: ChosenAction;
  /** the successCriteria that did not pass, as written */
  failedCriteria: string[];
}

export function responseContext(ctx: ExpressionContext, url: string, method: string, res: StepResponse): ExpressionContext {
  return { ...ctx, url, method, statusCode: res.statusCode, response: { header: res.headers, body: res.body } };
}

function allPass(criteria: Criterion[] | undefined, ctx: ExpressionContext): boolean {
  return (criteria ?? []).every((c) => evaluateCriterion(c, ctx).passed);
}

/**
 * Evaluate a step against a response context (see responseContext).
 * `exhaustedRetries` names retry actions whose retryLimit is used up: they are skipped, and later
 * actions in the list are considered, as the spec asks.
 */
export function evaluateStep(step: Pick<PlanStep, 'successCriteria' | 'onSuccess' | 'onFailure' | 'outputs'>, ctx: ExpressionContext, exhaustedRetries: string[] = []): StepEvaluation {
  const failedCriteria = step.successCriteria.filter((c) => !evaluateCriterion(c, ctx).passed).map((c) => c.condition);
  const success = failedCriteria.length === 0;
  const list = success ? step.onSuccess : step.onFailure;
  const match = list.find((a) => !(a.type === 'retry' && exhaustedRetries.includes(a.name)) && allPass(a.criteria, ctx));
  const outputs: Record<string, unknown> = {};
  for (const [name, expr] of Object.entries(step.outputs)) outputs[name] = evaluateExpression(expr, ctx);
  const action: ChosenAction | undefined = match && {
    name: match.name,
    type: match.type,
    stepId: match.stepId,
    workflowId: match.workflowId,
    retryAfter: match.retryAfter,
    retryLimit: match.retryLimit,
    on: success ? 'success' : 'failure',
  };
  return { success, outputs, action, failedCriteria };
}

/** Values of the `$.x.y` paths that a step's action criteria test: what a person needs to see when none matched. */
export function observedValues(step: Pick<PlanStep, 'onSuccess' | 'onFailure'>, ctx: ExpressionContext): Record<string, unknown> {
  const observed: Record<string, unknown> = {};
  for (const action of [...step.onSuccess, ...step.onFailure]) {
    for (const c of action.criteria ?? []) {
      const base = c.context ? safeEval(c.context, ctx) : ctx.response?.body;
      for (const m of c.condition.matchAll(/\$((?:\.[A-Za-z_][A-Za-z0-9_-]*)+)/g)) {
        const path = `$${m[1]}`;
        if (path in observed) continue;
        observed[path] = m[1]
          .slice(1)
          .split('.')
          .reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), base);
      }
    }
  }
  return observed;
}

function safeEval(expr: string, ctx: ExpressionContext): unknown {
  try {
    return evaluateExpression(expr, ctx);
  } catch {
    return undefined;
  }
}
