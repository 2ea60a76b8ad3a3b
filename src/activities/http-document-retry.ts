// Who retries a transient response (408, 409, 429, 5xx, x-should-retry: true): the document, when the step's
// onFailure has a retry action whose criteria match it; else the activity's transparent transport retries.
// The first half is known from the plan alone (does the step have a retry action at all?); the second needs
// the response, so the activity decides it for each response.
import { evaluateCriterion } from '../core/expr';
import type { ExpressionContext, PlanStep } from '../core/types';

/** The step has a retry action: its transient responses may be the document's to retry. */
export function hasRetryAction(step: Pick<PlanStep, 'onFailure'>): boolean {
  return step.onFailure.some((a) => a.type === 'retry');
}

/**
 * The document decides this response: the step fails its successCriteria and one of its retry actions matches
 * (exhausted or not: a used-up retryLimit must end the step, not fall back to transport retries).
 * A criterion that cannot be evaluated leaves the response to transport retries; the full evaluation reports it.
 */
export function documentRetries(step: Pick<PlanStep, 'onFailure' | 'successCriteria'>, ctx: ExpressionContext): boolean {
  if (!hasRetryAction(step)) return false;
  const passes = (c: Parameters<typeof evaluateCriterion>[0]) => evaluateCriterion(c, ctx).passed;
  try {
    if (step.successCriteria.every(passes)) return false;
    return step.onFailure.some((a) => a.type === 'retry' && (a.criteria ?? []).every(passes));
  } catch {
    return false;
  }
}
