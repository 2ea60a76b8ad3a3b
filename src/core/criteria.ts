// Arazzo Criterion Objects: simple, regex, jsonpath (RFC 9535, comparison dialect, Goessner), xpath (./xpath-engine.ts).
// An unparsable criterion throws CriterionError: it is never quietly false.
// Pure code: runs inside the Temporal workflow sandbox (jsonpath-rfc9535 has no dependencies; jsonpath-plus is
// bundled in its browser build there, without node:vm, and is only used with eval: 'safe').
import { JSONPath } from 'jsonpath-plus';
import { query, type JsonValue } from 'jsonpath-rfc9535';
import { RE2JS } from 're2js';
import { ConditionParseError, evaluateCondition, parseCondition, type ConditionNode, type ParsedCondition } from './conditions';
import { ExpressionError, evaluateExpression, findEmbeddedForms, parseExpression, substituteBraced, toText } from './expressions';
import type { Criterion, ExpressionContext } from './types';
import { LIMITS } from './limits';
import { XPATH_VERSIONS, xpathEngine } from './xpath-engine';

// The parser is a package subpath export, which this project's TypeScript resolution ("node") cannot see.
const parseRfc9535 = require('jsonpath-rfc9535/parser').default as (query: string) => JsonPathAst;

/** The parts of jsonpath-rfc9535's AST this file reads. */
interface JsonPathAst {
  type: string;
  segments: { type: string; node: { type: string; selectors?: { type: string }[] } }[];
}

export class CriterionError extends Error {
  constructor(
    readonly condition: string,
    reason: string,
  ) {
    super(`Criterion '${condition}': ${reason}`);
    this.name = 'CriterionError';
  }
}

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

export const GOESSNER_VERSION = 'draft-goessner-dispatch-jsonpath-00';
/** Longest text a regex criterion is applied to; longer subjects fail the criterion. */
export const MAX_REGEX_SUBJECT = LIMITS.regexSubject;
const RFC9535_FUNCTIONS = ['count', 'length', 'match', 'search', 'value'];

type Kind = { type: 'simple' | 'regex' } | { type: 'xpath'; version: string } | { type: 'jsonpath'; dialect: 'rfc9535' | 'goessner' };

function kindOf(c: Criterion): Kind {
  const t = c.type ?? 'simple';
  if (typeof t === 'string') {
    if (t === 'jsonpath') return { type: t, dialect: 'rfc9535' };
    if (t === 'simple' || t === 'regex') return { type: t };
    if (t === 'xpath') return { type: t, version: 'xpath-31' };
    throw new CriterionError(c.condition, `unknown criterion type '${String(t)}'`);
  }
  if (t.type === 'xpath') {
    if ((XPATH_VERSIONS as readonly string[]).includes(t.version)) return { type: 'xpath', version: t.version };
    throw new CriterionError(c.condition, `unsupported xpath version '${String(t.version)}' (expected one of ${XPATH_VERSIONS.join(', ')})`);
  }
  if (t.type === 'jsonpath' && (t.version === GOESSNER_VERSION || t.version === 'rfc9535')) {
    return { type: 'jsonpath', dialect: t.version === GOESSNER_VERSION ? 'goessner' : 'rfc9535' };
  }
  throw new CriterionError(c.condition, `unsupported criterion type ${JSON.stringify(t)}`);
}

// ---------- simple ----------

/**
 * The condition parser recurses per parenthesis and `!`: a condition longer or deeper than the limits (src/core/limits.ts)
 * is refused before it runs out of stack. Quoted strings do not count.
 */
function conditionLimitProblem(text: string): string | undefined {
  if (text.length > LIMITS.conditionLength) return `the condition is ${text.length} characters long, over the limit of ${LIMITS.conditionLength}`;
  let depth = 0;
  let max = 0;
  let bangs = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "'" || ch === '"') {
      for (i++; i < text.length && text[i] !== ch; i++) if (text[i] === '\\' && ch === '"') i++;
      bangs = 0;
    } else if (ch === '(') max = Math.max(max, ++depth + bangs);
    else if (ch === ')') depth--;
    else if (ch === '!' && text[i + 1] !== '=') max = Math.max(max, depth + ++bangs);
    else if (ch !== ' ') bangs = 0;
  }
  return max > LIMITS.conditionNesting ? `the condition nests parentheses or '!' more than ${LIMITS.conditionNesting} deep` : undefined;
}

function tooLong(text: unknown): void {
  if (typeof text === 'string' && text.length > LIMITS.conditionLength) {
    throw new CriterionError(`${text.slice(0, 80)}…`, `the condition is ${text.length} characters long, over the limit of ${LIMITS.conditionLength}`);
  }
}

function parseSimple(condition: string): ParsedCondition {
  const limit = conditionLimitProblem(condition);
  if (limit) throw new CriterionError(condition.slice(0, 80), limit);
  try {
    return parseCondition(condition);
  } catch (e) {
    if (e instanceof ConditionParseError) throw new CriterionError(condition, e.message);
    throw e;
  }
}

function evaluateSimple(c: Criterion, ctx: ExpressionContext): CriterionResult {
  const result = evaluateCondition(parseSimple(c.condition).ast, ctx);
  return { passed: result.passed, mode: 'simple', ...(result.notes.length ? { detail: result.notes.join('; ') } : {}) };
}

// ---------- regex ----------

/** Whether a quantifier starting at `i` repeats its atom (`*`, `+`, `{n,}`, `{n,m}` with m > 1, `{n}` with n > 1). */
function repeatsAt(p: string, i: number): boolean {
  if (p[i] === '*' || p[i] === '+') return true;
  const m = /^\{(\d+)(,(\d*))?\}/.exec(p.slice(i));
  if (!m) return false;
  return m[2] !== undefined ? m[3] === '' || Number(m[3]) > 1 : Number(m[1]) > 1;
}

/** First-character key of a regex alternative: a literal character, or '*' when it may start with many. */
function firstKey(alt: string): string {
  if (alt === '') return '*';
  if (alt[0] === '\\') return /[dDwWsSbBpPu]/.test(alt[1] ?? '') ? '*' : alt.slice(0, 2);
  return /[.[(^$]/.test(alt[0]) ? '*' : alt[0];
}

function overlap(alternatives: string[]): boolean {
  const keys = alternatives.map(firstKey);
  return keys.includes('*') ? keys.length > 1 : new Set(keys).size < keys.length;
}

/**
 * For match() and search() in RFC 9535 queries, which jsonpath-rfc9535 runs on JavaScript's backtracking RegExp
 * (regex criteria run on RE2 and need no such check).
 * Conservative detector of patterns prone to catastrophic backtracking: a repeated group that contains a
 * repeated element (`(a+)+`, `(a*)*`, `(\w+\s?)*`), or a repeated group whose alternatives can start with the
 * same character (`(a|a)*`, `(a|ab)+`). It can reject harmless patterns; it does not find every slow one
 * (polynomial cases such as `\d*\d*\d*x` pass), which the subject cap bounds.
 */
export function unsafeRegexReason(pattern: string): string | undefined {
  interface Frame {
    repeats: boolean;
    alternatives: string[];
    altStart: number;
  }
  const stack: Frame[] = [{ repeats: false, alternatives: [], altStart: 0 }];
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    const top = stack[stack.length - 1];
    let atomEnd = i + 1;
    if (ch === '\\') atomEnd = i + 2;
    else if (ch === '[') {
      let j = i + 1;
      if (pattern[j] === '^') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') j += pattern[j] === '\\' ? 2 : 1;
      atomEnd = j + 1;
    } else if (ch === '(') {
      const prefix = /^\(\?(?::|=|!|<=|<!|<[A-Za-z_$][\w$]*>)/.exec(pattern.slice(i))?.[0] ?? '(';
      stack.push({ repeats: false, alternatives: [], altStart: i + prefix.length });
      i += prefix.length - 1;
      continue;
    } else if (ch === '|') {
      top.alternatives.push(pattern.slice(top.altStart, i));
      top.altStart = i + 1;
      continue;
    } else if (ch === ')' && stack.length > 1) {
      stack.pop();
      top.alternatives.push(pattern.slice(top.altStart, i));
      const parent = stack[stack.length - 1];
      if (repeatsAt(pattern, i + 1)) {
        if (top.repeats) return `nested quantifier: the repeated group closing at column ${i + 1} contains a repeated element`;
        if (top.alternatives.length > 1 && overlap(top.alternatives)) {
          return `the repeated group closing at column ${i + 1} has alternatives that can match the same text (${top.alternatives.join('|')})`;
        }
        parent.repeats = true;
      }
      parent.repeats ||= top.repeats;
      continue;
    }
    if (repeatsAt(pattern, atomEnd)) top.repeats = true;
    i = atomEnd - 1;
  }
  return undefined;
}

/**
 * JavaScript regex syntax that RE2 cannot run, because it needs backtracking: backreferences and lookaround.
 * Named here so the message says why (re2js's translation would otherwise read `\k<n>` as the letter k).
 */
function backtrackingFeature(pattern: string): string | undefined {
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\') {
      const next = pattern[i + 1] ?? '';
      if (/[1-9]/.test(next)) return `the backreference \\${next}`;
      if (next === 'k' && pattern[i + 2] === '<') return 'a named backreference (\\k<…>)';
      i++;
    } else if (ch === '[') {
      for (i++; i < pattern.length && pattern[i] !== ']'; i++) if (pattern[i] === '\\') i++;
    } else if (ch === '(' && pattern[i + 1] === '?') {
      const m = /^\(\?(=|!|<=|<!)/.exec(pattern.slice(i));
      if (m) return `the ${m[1].includes('<') ? 'lookbehind' : 'lookahead'} (?${m[1]}…)`;
    }
  }
  return undefined;
}

/**
 * Regex criteria run on RE2 (re2js, pure JavaScript, so also in the workflow sandbox): matching takes time linear
 * in the subject whatever the pattern, so `(a+)+$` cannot stall a worker. The pattern is written in JavaScript
 * syntax and translated; what RE2 cannot do (backreferences, lookaround) is refused with the reason.
 */
function compileRegex(condition: string, pattern: string): RE2JS {
  tooLong(pattern);
  const feature = backtrackingFeature(pattern);
  if (feature) throw new CriterionError(condition, `${feature} is not supported: regex criteria run on RE2, in linear time, which has no backtracking`);
  try {
    return RE2JS.compile(RE2JS.translateRegExp(pattern));
  } catch (e) {
    throw new CriterionError(condition, `invalid regular expression: ${(e as Error).message}`);
  }
}

// ---------- context ----------

function contextValue(c: Criterion, ctx: ExpressionContext): unknown {
  if (!c.context) throw new CriterionError(c.condition, 'this criterion type needs a context (e.g. $response.body)');
  try {
    return evaluateExpression(c.context, ctx);
  } catch (e) {
    if (e instanceof ExpressionError) throw new CriterionError(c.condition, `context: ${e.message}`);
    throw e;
  }
}

function emptyContext(c: Criterion, mode: string): CriterionResult {
  return { passed: false, mode, detail: `context ${c.context} is empty (null or missing)` };
}

function evaluateRegex(c: Criterion, ctx: ExpressionContext): CriterionResult {
  const re = compileRegex(c.condition, substituteBraced(c.condition, ctx));
  const value = contextValue(c, ctx);
  if (value === undefined || value === null) return emptyContext(c, 'regex');
  const subject = toText(value);
  if (subject.length > MAX_REGEX_SUBJECT) {
    return { passed: false, mode: 'regex', detail: `context is ${subject.length} characters, over the ${MAX_REGEX_SUBJECT} limit for regex criteria` };
  }
  return { passed: re.matcher(subject).find(), mode: 'regex' };
}

// ---------- jsonpath ----------

type CompiledJsonPath = { dialect: 'rfc9535'; query: string; ast: JsonPathAst; rootFilter: boolean } | { dialect: 'comparison'; ast: ConditionNode };

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
    if (call.pattern?.type !== 'Literal' || typeof call.pattern.value !== 'string') return `${call.name}() needs a literal string pattern (a pattern taken from the data could run for ever)`;
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
function compileJsonPath(condition: string, text: string): CompiledJsonPath {
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

function evaluateJsonPath(c: Criterion, ctx: ExpressionContext): CriterionResult {
  const compiled = compileJsonPath(c.condition, substituteBraced(c.condition, ctx));
  const value = contextValue(c, ctx);
  const mode = compiled.dialect === 'comparison' ? 'comparison-dialect' : compiled.rootFilter && !Array.isArray(value) ? 'jsonpath-rfc9535-wrapped' : 'jsonpath-rfc9535';
  if (value === undefined || value === null) return emptyContext(c, mode);
  if (compiled.dialect === 'comparison') {
    const result = evaluateCondition(compiled.ast, ctx, { contextValue: value, truthiness: 'exists' });
    return { passed: result.passed, mode, ...(result.notes.length ? { detail: result.notes.join('; ') } : {}) };
  }
  const target = (mode === 'jsonpath-rfc9535-wrapped' ? [value] : value) as JsonValue;
  const nodes = query(target, compiled.query);
  return { passed: nodes.length > 0, mode, detail: `${nodes.length} node(s) matched` };
}

/**
 * Filter and script expressions of a Goessner path (`[?(…)]`, `[(…)]`) that reach for code: a call, `constructor`,
 * `prototype`, `__proto__`, `this`. jsonpath-plus evaluates them in its own safe evaluator (eval: 'safe', never
 * node:vm), which has had bypasses (CVE-2024-21534, CVE-2025-1302): such filters are refused before it sees them.
 */
export function goessnerCodeReason(path: string): string | undefined {
  const code = path.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g, "''"); // string literals cannot call anything
  // anywhere, also as members (@.constructor); the globals only as bare names (@.process is a field like any other)
  const reach =
    /(?:^|[^\w$])(constructor|prototype|__proto__|__defineGetter__|__defineSetter__|__lookupGetter__|__lookupSetter__)(?![\w$])/.exec(code) ??
    /(?:^|[^\w$.@])(this|globalThis|process|require|Function|eval|import)(?![\w$])/.exec(code);
  if (reach) return `it names '${reach[1]}'`;
  const call = /([A-Za-z_$][\w$]*|[)\]])\s*\(/.exec(code.replace(/\[\s*\?\s*\(/g, '[?').replace(/\[\s*\(/g, '['));
  if (call) return `it calls a function (${call[1]}(…))`;
  if (/(?:^|[^=!<>])=(?!=)/.test(code)) return 'it assigns (=)';
  return undefined;
}

function evaluateGoessner(c: Criterion, ctx: ExpressionContext): CriterionResult {
  const path = substituteBraced(c.condition, ctx);
  const code = goessnerCodeReason(path);
  if (code) throw new CriterionError(c.condition, `JSONPath filters may not run code: ${code}`);
  const value = contextValue(c, ctx);
  const wrap = /^\$\s*\[\s*\?/.test(path) && !Array.isArray(value);
  const mode = wrap ? 'jsonpath-goessner-wrapped' : 'jsonpath-goessner';
  if (value === undefined || value === null) return emptyContext(c, mode);
  try {
    const nodes: unknown[] = JSONPath({ path, json: (wrap ? [value] : value) as object, eval: 'safe', wrap: true });
    return { passed: nodes.length > 0, mode, detail: `${nodes.length} node(s) matched` };
  } catch (e) {
    // jsep (the filter parser) marks syntax errors with an index; anything else is a data error (e.g. @.a.b on {}).
    if (typeof (e as { index?: unknown }).index === 'number') throw new CriterionError(c.condition, `invalid JSONPath: ${(e as Error).message}`);
    return { passed: false, mode, detail: `evaluation error: ${(e as Error).message}` };
  }
}

// ---------- xpath ----------

function evaluateXPath(c: Criterion, ctx: ExpressionContext): CriterionResult {
  const expression = substituteBraced(c.condition, ctx);
  const value = contextValue(c, ctx);
  try {
    const engine = xpathEngine();
    if (typeof value === 'string') return { mode: 'xpath', ...engine.evaluate(expression, value) };
    engine.check(expression); // an invalid expression is an error whatever the context
  } catch (e) {
    if (e instanceof CriterionError) throw e;
    throw new CriterionError(c.condition, (e as Error).message);
  }
  if (value === undefined || value === null) return emptyContext(c, 'xpath');
  return { passed: false, mode: 'xpath', detail: `context ${c.context} is not XML text (got ${Array.isArray(value) ? 'an array' : typeof value})` };
}

// ---------- entry points ----------

/**
 * Evaluates a criterion against the step's context. A null or missing context value makes regex and jsonpath
 * criteria fail (passed: false). Throws CriterionError when the criterion cannot be parsed or is unsupported.
 */
export function evaluateCriterion(c: Criterion, ctx: ExpressionContext): CriterionResult {
  tooLong(c.condition);
  const kind = kindOf(c);
  switch (kind.type) {
    case 'simple':
      return evaluateSimple(c, ctx);
    case 'regex':
      return evaluateRegex(c, ctx);
    case 'jsonpath':
      return kind.dialect === 'goessner' ? evaluateGoessner(c, ctx) : evaluateJsonPath(c, ctx);
    case 'xpath':
      return evaluateXPath(c, ctx);
  }
}

/** Replaces `{$…}` with a neutral value so the rest of a condition can be checked before run time. */
function withoutBraced(condition: string): string {
  return findEmbeddedForms(condition).braced.reduce((s, e) => s.split(`{${e}}`).join('0'), condition);
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
      found.push(last?.type === 'ChildSegment' && (last.node.type === 'MemberNameShorthand' || !!last.node.selectors?.every((s) => s.type === 'NameSelector' || s.type === 'IndexSelector')));
    }
    Object.values(node).forEach(visit);
  };
  visit(ast);
  return found.includes(true);
}

function checkJsonPath(c: Criterion, check: CriterionCheck): void {
  const compiled = compileJsonPath(c.condition, withoutBraced(c.condition));
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

/** Static check of a criterion, for validation: errors make it unusable, warnings flag non-standard forms. */
export function checkCriterion(c: Criterion): CriterionCheck {
  const check: CriterionCheck = { errors: [], warnings: [] };
  if (typeof c.condition !== 'string' || c.condition.trim() === '') return { ...check, errors: ['the criterion has no condition'] };
  try {
    tooLong(c.condition);
    const kind = kindOf(c);
    if (kind.type !== 'simple') {
      if (!c.context) check.errors.push(`a ${kind.type} criterion needs a context (e.g. $response.body)`);
      else parseContext(c.context, check);
    }
    switch (kind.type) {
      case 'simple': {
        if (parseSimple(c.condition).features.includes('doubleQuotedString')) {
          check.warnings.push({ code: 'double-quoted-string', message: `'${c.condition}' uses double quotes; Arazzo strings are single-quoted` });
        }
        break;
      }
      case 'regex':
        compileRegex(c.condition, withoutBraced(c.condition));
        break;
      case 'jsonpath':
        if (kind.dialect === 'rfc9535') checkJsonPath(c, check);
        else if (goessnerCodeReason(withoutBraced(c.condition))) throw new CriterionError(c.condition, `JSONPath filters may not run code: ${goessnerCodeReason(withoutBraced(c.condition))}`);
        else check.warnings.push({ code: 'jsonpath-goessner', message: `'${c.condition}' uses ${GOESSNER_VERSION}: filter syntax is only checked at run time` });
        break;
      case 'xpath':
        try {
          xpathEngine().check(withoutBraced(c.condition));
        } catch (e) {
          throw new CriterionError(c.condition, (e as Error).message);
        }
        break;
    }
  } catch (e) {
    if (!(e instanceof CriterionError)) throw e;
    check.errors.push(e.message);
  }
  const invalid = findEmbeddedForms(c.condition).invalidBraced;
  if (invalid.length) check.warnings.push({ code: 'invalid-embedded-expression', message: `not valid runtime expressions, left as text: ${invalid.join(', ')}` });
  return check;
}

function parseContext(context: string, check: CriterionCheck): void {
  try {
    parseExpression(context);
  } catch (e) {
    if (!(e instanceof ExpressionError)) throw e;
    check.errors.push(`context: ${e.message}`);
  }
}
