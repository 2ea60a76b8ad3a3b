// XPath criteria: the engine (fontoxpath on @xmldom/xmldom) is Node-only and installed by the step activity
// (src/core/xpath-engine.ts), so the workflow bundle never contains it.
import type { Criterion, ExpressionContext } from '../types';
import { xpathEngine } from '../xpath-engine';
import type { CriterionAst } from './ast';
import { contextValue, emptyContext, type CriterionResult } from './criterion-context';
import { CriterionError } from './errors';
import { templateText } from './template';

export function evaluateXPath(c: Criterion, ast: Extract<CriterionAst, { type: 'xpath' }>, ctx: ExpressionContext): CriterionResult {
  const expression = ast.template ? templateText(ast.template, ctx) : c.condition;
  const value = contextValue(c, ast.context, ctx);
  try {
    const engine = xpathEngine();
    if (typeof value === 'string') return { mode: 'xpath', ...engine.evaluate(expression, value) };
    engine.check(expression); // an invalid expression is an error whatever the context
  } catch (e) {
    if (e instanceof CriterionError) throw e;
    throw new CriterionError(c.condition, (e as Error).message);
  }
  if (value === undefined || value === null) return emptyContext(c, 'xpath');
  return {
    passed: false,
    mode: 'xpath',
    detail: `context ${c.context} is not XML text (got ${Array.isArray(value) ? 'an array' : typeof value})`,
  };
}
