// What regex, jsonpath and xpath criteria are applied to: the value of their context expression.
// Pure code: runs inside the Temporal workflow sandbox.
import type { Criterion, ExpressionContext } from '../types';
import type { ParsedExpression } from './ast';
import { ExpressionError, CriterionError } from './errors';
import { evaluateExpression } from './evaluate-expression';
import { parseExpression } from './expression-reader';

export interface CriterionResult {
  passed: boolean;
  /** how it was evaluated: simple, regex, jsonpath-rfc9535, jsonpath-rfc9535-wrapped, comparison-dialect, jsonpath-goessner(-wrapped), xpath */
  mode: string;
  detail?: string;
}

export interface CriterionCheck {
  errors: string[];
  warnings: { code: string; message: string }[];
}

/** The parsed context of a criterion (undefined when it has none); throws CriterionError when it does not parse. */
export function parseContext(c: Criterion): ParsedExpression | undefined {
  if (!c.context) return undefined;
  try {
    return parseExpression(c.context);
  } catch (e) {
    if (e instanceof ExpressionError) throw new CriterionError(c.condition, `context: ${e.message}`);
    throw e;
  }
}

export function contextValue(c: Criterion, context: ParsedExpression | undefined, ctx: ExpressionContext): unknown {
  if (!context) throw new CriterionError(c.condition, 'this criterion type needs a context (e.g. $response.body)');
  return evaluateExpression(context, ctx);
}

export function emptyContext(c: Criterion, mode: string): CriterionResult {
  return { passed: false, mode, detail: `context ${c.context} is empty (null or missing)` };
}
