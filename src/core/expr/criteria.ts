// Arazzo Criterion Objects: simple, regex, jsonpath (RFC 9535, comparison dialect, Goessner), xpath. The compiler
// parses each criterion once (compileCriterion) and the plan carries the result; evaluation reads it.
// An unparsable criterion throws CriterionError: it is never quietly false.
// Pure code: runs inside the Temporal workflow sandbox (xpath is evaluated where an engine is installed).
import type { Criterion, ExpressionContext } from '../types';
import { XPATH_VERSIONS } from '../xpath-engine';
import type { CriterionAst, ParsedCondition } from './ast';
import { conditionLimitProblem, tooLong } from './condition-limits';
import { parseCondition } from './condition-parser';
import { parseContext, type CriterionResult } from './criterion-context';
import { GOESSNER_VERSION, evaluateGoessner } from './criterion-goessner';
import { evaluateJsonPath, readJsonPath } from './criterion-jsonpath';
import { compileRegex, evaluateRegex } from './criterion-regex';
import { evaluateXPath } from './criterion-xpath';
import { ConditionParseError, CriterionError } from './errors';
import { evaluateCondition } from './evaluate-condition';
import { bracedTemplate } from './template';

export type CriterionKind =
  { type: 'simple' } | { type: 'regex' } | { type: 'xpath'; version: string } | { type: 'jsonpath'; dialect: 'rfc9535' | 'goessner' };

export function kindOf(c: Criterion): CriterionKind {
  const t = c.type ?? 'simple';
  if (typeof t === 'string') {
    if (t === 'jsonpath') return { type: t, dialect: 'rfc9535' };
    if (t === 'simple') return { type: t };
    if (t === 'regex') return { type: t };
    if (t === 'xpath') return { type: t, version: 'xpath-31' };
    throw new CriterionError(c.condition, `unknown criterion type '${String(t)}'`);
  }
  if (t.type === 'xpath') {
    if ((XPATH_VERSIONS as readonly string[]).includes(t.version)) return { type: 'xpath', version: t.version };
    throw new CriterionError(
      c.condition,
      `unsupported xpath version '${String(t.version)}' (expected one of ${XPATH_VERSIONS.join(', ')})`,
    );
  }
  if (t.type === 'jsonpath' && (t.version === GOESSNER_VERSION || t.version === 'rfc9535')) {
    return { type: 'jsonpath', dialect: t.version === GOESSNER_VERSION ? 'goessner' : 'rfc9535' };
  }
  throw new CriterionError(c.condition, `unsupported criterion type ${JSON.stringify(t)}`);
}

export function parseSimple(condition: string): ParsedCondition {
  const limit = conditionLimitProblem(condition);
  if (limit) throw new CriterionError(condition.slice(0, 80), limit);
  try {
    return parseCondition(condition);
  } catch (e) {
    if (e instanceof ConditionParseError) throw new CriterionError(condition, e.message);
    throw e;
  }
}

/** Parses a criterion; throws CriterionError when it cannot be parsed or is unsupported. */
export function compileCriterion(c: Criterion): CriterionAst {
  tooLong(c.condition);
  const kind = kindOf(c);
  if (kind.type === 'simple') return { type: 'simple', condition: parseSimple(c.condition).ast };
  const template = bracedTemplate(c.condition);
  if (kind.type === 'regex' && !template) compileRegex(c.condition, c.condition);
  const read = kind.type === 'jsonpath' && kind.dialect === 'rfc9535' && !template ? readJsonPath(c.condition) : undefined;
  const context = parseContext(c);
  const fields = { ...(template && { template }), ...(context && { context }) };
  if (kind.type === 'regex') return { type: 'regex', ...fields };
  if (kind.type === 'xpath') return { type: 'xpath', version: kind.version, ...fields };
  return { type: 'jsonpath', dialect: kind.dialect, ...fields, ...(read && { read }) };
}

/**
 * Evaluates a criterion against the step's context (with the AST the compiler put in the plan, or parsed now). A
 * null or missing context value makes regex and jsonpath criteria fail (passed: false). Throws CriterionError when
 * the criterion cannot be parsed or is unsupported.
 */
export function evaluateCriterion(c: Criterion, ctx: ExpressionContext): CriterionResult {
  const ast = c.ast ?? compileCriterion(c);
  switch (ast.type) {
    case 'simple': {
      const result = evaluateCondition(ast.condition, ctx);
      return { passed: result.passed, mode: 'simple', ...(result.notes.length ? { detail: result.notes.join('; ') } : {}) };
    }
    case 'regex':
      return evaluateRegex(c, ast, ctx);
    case 'jsonpath':
      return ast.dialect === 'goessner' ? evaluateGoessner(c, ast, ctx) : evaluateJsonPath(c, ast, ctx);
    case 'xpath':
      return evaluateXPath(c, ast, ctx);
  }
}

export { GOESSNER_VERSION };
