// response → outcome: judge one step's response with its successCriteria, pick the first matching
// action, and compute its outputs. Pure and deterministic; the activity calls it right after the HTTP
// call so that poll loops can be decided without a round trip through workflow history.
import { evaluateCriterion } from './criteria';
import { evaluateExpression, evaluateValue } from './expressions';
import type { ArazzoAction, Criterion, ExpressionContext, PlanStep, ResolvedRequest } from './types';

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
  /** goto/retry workflowId: the target's key in Plan.workflows */
  workflowKey?: string;
  /** goto/retry workflowId with action parameters (Arazzo 1.1): the target's inputs, evaluated */
  inputs?: Record<string, unknown>;
  /** the list it came from */
  on: 'success' | 'failure';
}

export interface StepEvaluation {
  success: boolean;
  outputs: Record<string, unknown>;
  action?: ChosenAction;
  /** the successCriteria that did not pass, as written */
  failedCriteria: string[];
  /** outputs that evaluated to null or to nothing */
  nullOutputs?: string[];
  /**
   * What the response says, in brief (see responseFacts): set when no action matched or an output is null, so a
   * run that stops, or ends with a null, can say what the provider reported without naming any provider.
   */
  facts?: Record<string, string>;
}

/** Secrets stay references: `$request.header.Authorization` reads the placeholder, never the key. */
const asText = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));
const texts = (r: Record<string, unknown> | undefined) => Object.fromEntries(Object.entries(r ?? {}).map(([k, v]) => [k, asText(v)]));

export function responseContext(ctx: ExpressionContext, req: ResolvedRequest, res: StepResponse): ExpressionContext {
  return {
    ...ctx,
    url: req.url,
    method: req.method,
    request: { header: texts(req.headers), query: texts(req.query), path: texts(req.path), body: req.body?.value },
    statusCode: res.statusCode,
    response: { header: res.headers, body: res.body },
  };
}

function allPass(criteria: Criterion[] | undefined, ctx: ExpressionContext): boolean {
  return (criteria ?? []).every((c) => evaluateCriterion(c, ctx).passed);
}

/**
 * Evaluate a step against a response context (see responseContext).
 * `exhaustedRetries` names retry actions whose retryLimit is used up: they are skipped, and later
 * actions in the list are considered, as the spec asks.
 * `failed`: the step failed whatever its criteria say (its child workflow failed, or it timed out); the
 * failure actions are chosen without a response.
 */
export function evaluateStep(
  step: Pick<PlanStep, 'successCriteria' | 'onSuccess' | 'onFailure' | 'outputs'>,
  ctx: ExpressionContext,
  exhaustedRetries: string[] = [],
  failed = false,
): StepEvaluation {
  const failedCriteria = failed ? [] : step.successCriteria.filter((c) => !evaluateCriterion(c, ctx).passed).map((c) => c.condition);
  const success = !failed && failedCriteria.length === 0;
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
    ...(match.workflowKey !== undefined && { workflowKey: match.workflowKey }),
    ...(match.inputs !== undefined && { inputs: evaluateValue(match.inputs, ctx) as Record<string, unknown> }),
    on: success ? 'success' : 'failure',
  };
  const nullOutputs = Object.keys(outputs).filter((name) => outputs[name] === null || outputs[name] === undefined);
  const evaluation: StepEvaluation = { success, outputs, action, failedCriteria };
  if (nullOutputs.length) evaluation.nullOutputs = nullOutputs;
  if (!action || nullOutputs.length) {
    const facts = responseFacts(ctx.response?.body);
    if (facts) evaluation.facts = facts;
  }
  return evaluation;
}

const FACT_VALUE_CHARS = 400;
const FACT_TOTAL_CHARS = 1600;

/**
 * A brief of a JSON object response body: its top-level members that hold a value (not null, not empty), each as
 * JSON text cut at 400 characters (an ellipsis marks the cut), 1,600 in all, in the body's order. It is how a
 * status, the counts, an error object or an error file id reach a message, whatever the API calls them. Null for
 * any other body.
 */
export function responseFacts(body: unknown): Record<string, string> | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  const facts: Record<string, string> = {};
  let total = 0;
  for (const [key, value] of Object.entries(body)) {
    if (value === null || value === undefined || value === '') continue;
    if (typeof value === 'object' && Object.keys(value).length === 0) continue;
    let text = JSON.stringify(value);
    if (text === undefined) continue;
    if (text.length > FACT_VALUE_CHARS) text = `${text.slice(0, FACT_VALUE_CHARS)}…`;
    if (total + text.length > FACT_TOTAL_CHARS) break;
    facts[key] = text;
    total += text.length;
  }
  return Object.keys(facts).length ? facts : null;
}

/** `status "completed", request_counts {"total":2,…}`: facts as a message reads them. */
export function describeFacts(facts: Record<string, string>): string {
  return Object.entries(facts)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}

/** Values of the `$.x.y` paths that a step's action criteria test: what a person needs to see when none matched. */
export function observedValues(step: Pick<PlanStep, 'onSuccess' | 'onFailure'>, ctx: ExpressionContext): Record<string, unknown> {
  const observed: Record<string, unknown> = {};
  for (const action of [...step.onSuccess, ...step.onFailure]) {
    for (const c of action.criteria ?? []) {
      const base = c.context ? safeEval(c.context, ctx) : ctx.response?.body;
      // `$.status` paths of JSONPath-style criteria, read on the criterion's context
      for (const m of c.condition.matchAll(/\$((?:\.[A-Za-z_][A-Za-z0-9_-]*)+)/g)) {
        const path = `$${m[1]}`;
        if (path in observed) continue;
        observed[path] = m[1]
          .slice(1)
          .split('.')
          .reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), base);
      }
      // `$response.body#/status` and `$response.header.x` operands of simple conditions
      for (const m of c.condition.matchAll(/\$response\.(?:body#\/[^\s=!<>&|()]*|header\.[A-Za-z0-9-]+)/g)) {
        if (!(m[0] in observed)) observed[m[0]] = safeEval(m[0], ctx);
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
