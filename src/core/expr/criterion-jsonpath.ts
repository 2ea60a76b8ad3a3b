// JSONPath criteria, RFC 9535 (jsonpath-rfc9535, no dependencies, so also in the workflow sandbox). A condition
// that is not an RFC 9535 query is read in the comparison dialect documents write as JSONPath
// (`$.status == "completed"`): a simple condition where a bare `$` is the context value.
import { parseRfc9535 as parseQuery, query, type JsonValue } from '../jsonpath-rfc9535';
import { RE2JS } from 're2js';
import type { Criterion, ExpressionContext } from '../types';
import type { ConditionNode, CriterionAst } from './ast';
import { conditionLimitProblem } from './condition-limits';
import { parseCondition } from './condition-parser';
import { contextValue, emptyContext, type CriterionCheck, type CriterionResult } from './criterion-context';
import { ConditionParseError, CriterionError } from './errors';
import { evaluateCondition } from './evaluate-condition';
import { backtrackingFeature, unsafeRegexReason } from './regex-safety';
import { templateText } from './template';

// the parser's AST, typed as far as this file reads it
const parseRfc9535 = parseQuery as (query: string) => JsonPathAst;

/** The parts of jsonpath-rfc9535's AST this file reads. */
export interface JsonPathAst {
  type: string;
  segments: { type: string; node: { type: string; selectors?: { type: string }[] } }[];
}

const RFC9535_FUNCTIONS = ['count', 'length', 'match', 'search', 'value'];

export type CompiledJsonPath =
  { dialect: 'rfc9535'; query: string; ast: JsonPathAst; rootFilter: boolean } | { dialect: 'comparison'; ast: ConditionNode };

function functionNames(node: unknown, into: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => functionNames(n, into));
  else if (typeof node === 'object' && node !== null) {
    const n = node as { type?: string; name?: string };
    if (n.type === 'FunctionExpr' && typeof n.name === 'string') into.push(n.name);
    Object.values(node).forEach((v) => functionNames(v, into));
  }
  return into;
}

/** The calls of match() and search() in a query, with their pattern argument. */
function regexCalls(node: unknown, into: { name: string; pattern?: { type: string; value?: unknown } }[] = []): typeof into {
  const stack: unknown[] = [node];
  while (stack.length) {
    const n = stack.pop();
    if (Array.isArray(n)) stack.push(...n);
    else if (typeof n === 'object' && n !== null) {
      const f = n as { type?: string; name?: string; arguments?: { type: string; value?: unknown }[] };
      if (f.type === 'FunctionExpr' && (f.name === 'match' || f.name === 'search')) into.push({ name: f.name, pattern: f.arguments?.[1] });
      stack.push(...Object.values(n));
    }
  }
  return into;
}

/**
 * jsonpath-rfc9535 runs match() and search() with JavaScript's backtracking RegExp, so their pattern must be a
 * literal (a pattern read from the data could be anything) that is not prone to catastrophic backtracking and that
 * RE2 accepts (I-Regexp, RFC 9485, is a subset of it: no backreferences nor lookaround).
 */
function regexCallProblem(ast: JsonPathAst): string | undefined {
  for (const call of regexCalls(ast)) {
    if (call.pattern?.type !== 'Literal' || typeof call.pattern.value !== 'string')
      return `${call.name}() needs a literal string pattern (a pattern taken from the data could run for ever)`;
    const p = call.pattern.value;
    const unsafe = unsafeRegexReason(p) ?? backtrackingFeature(p);
    if (unsafe) return `${call.name}() pattern '${p}' is refused as prone to catastrophic backtracking: ${unsafe}`;
    try {
      RE2JS.compile(RE2JS.translateRegExp(p));
    } catch (e) {
      return `${call.name}() pattern '${p}' is not a valid regular expression: ${(e as Error).message}`;
    }
  }
  return undefined;
}

/** Parses an RFC 9535 query; throws with the reason when it is not one. */
function parseRfcQuery(q: string): JsonPathAst {
  const ast = parseRfc9535(q);
  const unknown = functionNames(ast).filter((f) => !RFC9535_FUNCTIONS.includes(f));
  if (unknown.length) throw new Error(`unknown function ${unknown.map((f) => f + '()').join(', ')}`);
  const regex = regexCallProblem(ast);
  if (regex) throw new RegexCallError(regex);
  return ast;
}

/** A valid RFC 9535 query whose match()/search() pattern is refused: not worth reading as a comparison. */
class RegexCallError extends Error {}

/** A query whose first segment only filters the root's children: `$[?…]`. */
function isRootFilter(ast: JsonPathAst): boolean {
  const first = ast.segments[0];
  const selectors = first?.type === 'ChildSegment' ? first.node.selectors : undefined;
  return !!selectors?.length && selectors.every((s) => s.type === 'FilterSelector');
}

/** RFC 9535 first; if the text is not a query, the comparison dialect (`$.status == "done" || …`). */
export function compileJsonPath(condition: string, text: string): CompiledJsonPath {
  let rfcReason: string;
  try {
    const ast = parseRfcQuery(text);
    return { dialect: 'rfc9535', query: text, ast, rootFilter: isRootFilter(ast) };
  } catch (e) {
    if (e instanceof RegexCallError) throw new CriterionError(condition, e.message);
    rfcReason = (e as Error).message;
  }
  const limit = conditionLimitProblem(text);
  if (limit) throw new CriterionError(condition.slice(0, 80), limit);
  try {
    return { dialect: 'comparison', ast: parseCondition(text, { contextRoot: true }).ast };
  } catch (e) {
    if (!(e instanceof ConditionParseError)) throw e;
    throw new CriterionError(condition, `not an RFC 9535 query (${rfcReason}) nor a comparison (${e.reason} at column ${e.column})`);
  }
}

type JsonPathCriterion = Extract<CriterionAst, { type: 'jsonpath' }>;

/** What compileJsonPath found, as the plan carries it (no JSONPath AST: only what evaluation needs). */
export function readJsonPath(condition: string, text = condition): JsonPathCriterion['read'] {
  const compiled = compileJsonPath(condition, text);
  return compiled.dialect === 'comparison' ? { comparison: compiled.ast } : { rootFilter: compiled.rootFilter };
}

export function evaluateJsonPath(c: Criterion, ast: JsonPathCriterion, ctx: ExpressionContext): CriterionResult {
  const text = ast.template ? templateText(ast.template, ctx) : c.condition;
  const read = !ast.template && ast.read ? ast.read : readJsonPath(c.condition, text);
  const value = contextValue(c, ast.context, ctx);
  const comparison = read && 'comparison' in read ? read.comparison : undefined;
  const rootFilter = !!read && 'rootFilter' in read && read.rootFilter;
  const mode = comparison ? 'comparison-dialect' : rootFilter && !Array.isArray(value) ? 'jsonpath-rfc9535-wrapped' : 'jsonpath-rfc9535';
  if (value === undefined || value === null) return emptyContext(c, mode);
  if (comparison) {
    const result = evaluateCondition(comparison, ctx, { contextValue: value, truthiness: 'exists' });
    return { passed: result.passed, mode, ...(result.notes.length ? { detail: result.notes.join('; ') } : {}) };
  }
  const target = (mode === 'jsonpath-rfc9535-wrapped' ? [value] : value) as JsonValue;
  const nodes = query(target, text);
  return { passed: nodes.length > 0, mode, detail: `${nodes.length} node(s) matched` };
}

/** `count(@.x)` counts one node (the member), not the array's elements: a frequent mistake. */
function singularCounts(ast: JsonPathAst): boolean {
  const found: boolean[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== 'object' || node === null) return;
    const n = node as { type?: string; name?: string; arguments?: { type: string; value?: JsonPathAst }[] };
    if (n.type === 'FunctionExpr' && n.name === 'count') {
      const last = n.arguments?.[0]?.value?.segments.at(-1);
      found.push(
        last?.type === 'ChildSegment' &&
          (last.node.type === 'MemberNameShorthand' ||
            !!last.node.selectors?.every((s) => s.type === 'NameSelector' || s.type === 'IndexSelector')),
      );
    }
    Object.values(node).forEach(visit);
  };
  visit(ast);
  return found.includes(true);
}

/** `text`: the condition with its `{$…}` replaced by a neutral value. */
export function checkJsonPath(c: Criterion, text: string, check: CriterionCheck): void {
  const compiled = compileJsonPath(c.condition, text);
  if (compiled.dialect === 'comparison') {
    check.warnings.push({
      code: 'jsonpath-comparison',
      message: `'${c.condition}' is not an RFC 9535 query; it is evaluated as a comparison on the context (write $[?@.x == 'v'] for RFC 9535)`,
    });
  } else if (singularCounts(compiled.ast)) {
    check.warnings.push({
      code: 'jsonpath-count-singular',
      message: `'${c.condition}': count(@.x) counts the member itself (1 node, even for an empty array); use count(@.x[*]) or length(@.x)`,
    });
  }
}
