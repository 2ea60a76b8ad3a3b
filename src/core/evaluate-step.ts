// response → outcome: judge one step's response with its successCriteria, pick the first matching
// action, and compute its outputs. Pure and deterministic; the activity calls it right after the HTTP
// call so that poll loops can be decided without a round trip through workflow history.
import { evaluateCriterion } from './expr';
import { evaluateOutput, evaluateValue } from './expr';
import type { PlanAction, PlanStep } from './plan';
import type { Criterion, ExpressionContext, ResolvedRequest } from './types';

export interface StepResponse {
  statusCode: number;
  /** lower-case header names */
  headers: Record<string, string>;
  body: unknown;
}

/** The action a step's outcome chose, its workflow inputs evaluated; `on`: the list it came from. */
export type ChosenAction = DistributiveOmit<PlanAction, 'criteria'> & { on: 'success' | 'failure' };
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

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
  step: Pick<PlanStep, 'successCriteria' | 'onSuccess' | 'onFailure' | 'outputs' | 'expressions'>,
  ctx: ExpressionContext,
  exhaustedRetries: string[] = [],
  failed = false,
): StepEvaluation {
  const failedCriteria = failed ? [] : step.successCriteria.filter((c) => !evaluateCriterion(c, ctx).passed).map((c) => c.condition);
  const success = !failed && failedCriteria.length === 0;
  const list = success ? step.onSuccess : step.onFailure;
  const match = list.find((a) => !(a.type === 'retry' && exhaustedRetries.includes(a.name)) && allPass(a.criteria, ctx));
  const outputs: Record<string, unknown> = {};
  for (const [name, expr] of Object.entries(step.outputs)) outputs[name] = evaluateOutput(expr, ctx, step.expressions);
  let action: ChosenAction | undefined;
  if (match) {
    const { criteria: _criteria, ...chosen } = match;
    if (chosen.type !== 'end' && chosen.inputs !== undefined)
      chosen.inputs = evaluateValue(chosen.inputs, ctx, { templates: step.expressions }) as Record<string, unknown>;
    action = { ...chosen, on: success ? 'success' : 'failure' };
  }
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

export { observedValues } from './expr/observed';
