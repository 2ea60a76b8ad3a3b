// XPath Selector Objects the workflow evaluates: workflow outputs, a workflow step's inputs and outputs, a message
// step's outputs. The XPath engine is Node-only, so before such a value is evaluated the workflow evaluates each
// xpath selector's context (pure), sends selector and XML text to the selectXPath local activity, and evaluates
// the value with an engine that answers from what came back (recorded in history: a replay asks nothing again).
// A value without an xpath selector costs nothing here: no activity, no history event.
import { proxyLocalActivities } from '@temporalio/workflow';
import type { XPathActivities, XPathSelected, XPathSelection } from '../core/contract';
import { evaluateExpression, isSelectorValue, type PlanSelector } from '../core/expr';
import type { PlanStep } from '../core/plan';
import type { ExpressionContext } from '../core/types';
import type { XPathEngine } from '../core/xpath-engine';

const { selectXPath } = proxyLocalActivities<XPathActivities>({
  startToCloseTimeout: '1m',
  retry: { maximumAttempts: 3 },
});

function collect(value: unknown, into: PlanSelector[]): PlanSelector[] {
  if (isSelectorValue(value)) {
    if (value.$selector.type === 'xpath') into.push(value.$selector);
  } else if (Array.isArray(value)) value.forEach((v) => collect(v, into));
  else if (typeof value === 'object' && value !== null) Object.values(value).forEach((v) => collect(v, into));
  return into;
}

/** What judging a step evaluates: its outputs, and its actions (their parameters, in 1.1). */
export const judgedValues = (step: PlanStep): unknown[] => [step.outputs, step.onSuccess, step.onFailure];

const key = (s: XPathSelection) => `${s.selector}\u0000${s.xml}`;

/** An engine that answers the selections made, and refuses any other (its context was not known beforehand). */
function answering(asked: XPathSelection[], answers: XPathSelected[]): XPathEngine {
  const byKey = new Map(asked.map((s, i) => [key(s), answers[i]]));
  const refuse = () => {
    throw new Error('xpath criteria are evaluated by the step activity');
  };
  return {
    check: refuse,
    evaluate: refuse,
    select(selector, xml) {
      const answer = byKey.get(key({ selector, xml }));
      if (!answer) throw new Error('its context was not known before the value was evaluated');
      if ('error' in answer) throw new Error(answer.error);
      return answer.values;
    },
  };
}

/**
 * `ctx` with the answers to the xpath selectors in `value` (a plan value: outputs, inputs, a step), or `ctx` itself
 * when it has none. A context that does not evaluate to text is left to the evaluation, which says why.
 */
export async function withXPathAnswers(value: unknown, ctx: ExpressionContext): Promise<ExpressionContext> {
  const selectors = collect(value, []);
  if (selectors.length === 0) return ctx;
  const byKey = new Map<string, XPathSelection>();
  for (const s of selectors) {
    let xml: unknown;
    try {
      xml = evaluateExpression(s.context, ctx);
    } catch {
      continue;
    }
    if (typeof xml === 'string') byKey.set(key({ selector: s.selector, xml }), { selector: s.selector, xml });
  }
  const asked = [...byKey.values()];
  const answers = asked.length ? await selectXPath(asked) : [];
  return { ...ctx, xpath: answering(asked, answers) };
}
