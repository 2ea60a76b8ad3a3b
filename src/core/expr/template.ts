// Expressions inside strings: `{$…}` (Arazzo 1.1) and, when lenient, bare `$root…` ("Bearer $inputs.apiKey").
// A string is parsed once into a Template; evaluating it interpolates the values as text (a string that is one
// expression keeps the value's type). Secrets are never resolved here, only passed on as references (whole
// values) or as placeholders (inside strings).
// Pure code: runs inside the Temporal workflow sandbox.
import { secretPlaceholder } from '../secrets';
import { isSecretRef, type ExpressionContext } from '../types';
import type { ParsedExpression, Template } from './ast';
import { evaluateExpression } from './evaluate-expression';
import { isExpression, readExpression } from './expression-reader';
import { evaluateSelector, isSelectorValue } from './selector';

/** An expression found inside a string. */
export interface EmbeddedExpression {
  /** span in the string, braces included for the braced form */
  start: number;
  end: number;
  braced: boolean;
  expr: ParsedExpression;
}

export interface ScanResult {
  found: EmbeddedExpression[];
  /** `{$…}` text that is not a valid expression */
  invalidBraced: string[];
}

/** Every braced `{$…}` and unbraced `$root…` expression with a known root in `text`, left to right. */
export function scanExpressions(text: string): ScanResult {
  const result: ScanResult = { found: [], invalidBraced: [] };
  let i = text.indexOf('$');
  while (i >= 0) {
    let next = i + 1;
    if (text[i - 1] === '{') {
      const read = readExpression(text, i, 'braced');
      if (read.ok && text[read.end] === '}') {
        result.found.push({ start: i - 1, end: read.end + 1, braced: true, expr: read.expr });
        next = read.end + 1;
      } else {
        const close = text.indexOf('}', i);
        result.invalidBraced.push(text.slice(i - 1, close < 0 ? text.length : close + 1));
      }
    } else {
      const read = readExpression(text, i, 'embedded');
      if (read.ok) {
        result.found.push({ start: i, end: read.end, braced: false, expr: read.expr });
        next = read.end;
      }
    }
    i = text.indexOf('$', next);
  }
  return result;
}

/**
 * Text form of a value embedded in a string (Arazzo 1.1): scalars as String(), objects and arrays as JSON,
 * strings (raw bodies included) unchanged, missing values as ''. Secret references become placeholders.
 */
export function toText(value: unknown): string {
  if (value === undefined) return '';
  if (isSecretRef(value)) return secretPlaceholder(value.$secret);
  if (typeof value === 'object' && value !== null) {
    return JSON.stringify(value, (_k, v: unknown) => (isSecretRef(v) ? secretPlaceholder(v.$secret) : v));
  }
  return String(value);
}

export interface EvaluateValueOptions {
  /** also interpolate unbraced expressions inside strings ("Bearer $inputs.apiKey"); default true */
  lenient?: boolean;
  /**
   * the strings parsed at compile time (a plan's `expressions`, src/core/expr/plan-expressions.ts): a string found
   * there is evaluated from its template, any other is text; without a table, strings are parsed here (lenient)
   */
  templates?: Record<string, Template>;
}

/** Text and expressions in order. */
function partsOf(s: string, found: EmbeddedExpression[]): (string | ParsedExpression)[] {
  const parts: (string | ParsedExpression)[] = [];
  let at = 0;
  for (const f of found) {
    if (f.start > at) parts.push(s.slice(at, f.start));
    parts.push(f.expr);
    at = f.end;
  }
  if (at < s.length) parts.push(s.slice(at));
  return parts;
}

/** The template of a string, or undefined when it holds no expression (it is text as it is). */
export function parseTemplate(s: string, lenient = true): Template | undefined {
  const whole = readExpression(s, 0, 'whole');
  if (whole.ok && whole.end === s.length) return { expr: whole.expr };
  const found = scanExpressions(s).found.filter((f) => f.braced || lenient);
  if (found.length === 0) return undefined;
  // A string that is exactly one {$…} keeps the type of the value, like a whole-value expression.
  if (found.length === 1 && found[0].braced && found[0].start === 0 && found[0].end === s.length) return { expr: found[0].expr };
  return { parts: partsOf(s, found) };
}

export function evaluateTemplate(t: Template, ctx: ExpressionContext): unknown {
  if ('expr' in t) return evaluateExpression(t.expr, ctx);
  return t.parts.map((p) => (typeof p === 'string' ? p : toText(evaluateExpression(p, ctx)))).join('');
}

/** A template as text: every expression's value interpolated, also the whole-value form. */
export function templateText(t: Template, ctx: ExpressionContext): string {
  return 'expr' in t ? toText(evaluateExpression(t.expr, ctx)) : (evaluateTemplate(t, ctx) as string);
}

/**
 * Evaluates every expression in a value (parameter value, payload, outputs): a string that is one expression
 * yields its value with its type; expressions inside strings are interpolated as text; arrays and objects are
 * walked; secret references and other scalars are returned as they are.
 */
export function evaluateValue(value: unknown, ctx: ExpressionContext, opts: EvaluateValueOptions = {}): unknown {
  const lenient = opts.lenient ?? true;
  if (typeof value === 'string') {
    const t = opts.templates ? (Object.hasOwn(opts.templates, value) ? opts.templates[value] : undefined) : parseTemplate(value, lenient);
    return t ? evaluateTemplate(t, ctx) : value;
  }
  if (Array.isArray(value)) return value.map((v) => evaluateValue(v, ctx, opts));
  if (isSelectorValue(value)) return evaluateSelector(value, ctx);
  if (typeof value === 'object' && value !== null && !isSecretRef(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, evaluateValue(v, ctx, opts)]));
  }
  return value;
}

/** The braced-only template of a condition (regex, jsonpath, xpath), where a bare `$` has its own meaning. */
export function bracedTemplate(s: string): Template | undefined {
  const found = scanExpressions(s).found.filter((f) => f.braced);
  if (found.length === 0) return undefined;
  return { parts: partsOf(s, found) };
}

function eachString(value: unknown, visit: (s: string) => void): void {
  if (typeof value === 'string') visit(value);
  else if (Array.isArray(value)) value.forEach((v) => eachString(v, visit));
  else if (typeof value === 'object' && value !== null && !isSecretRef(value)) Object.values(value).forEach((v) => eachString(v, visit));
}

export interface EmbeddedForms {
  /** unbraced expressions inside longer strings ("Bearer $inputs.apiKey"): interpolated only when lenient */
  unbraced: string[];
  /** `{$…}` expressions */
  braced: string[];
  /** `{$…}` text that does not parse as an expression */
  invalidBraced: string[];
}

/** Expressions embedded in the strings of a value (whole-value expressions are not embedded). */
export function findEmbeddedForms(value: unknown): EmbeddedForms {
  const forms: EmbeddedForms = { unbraced: [], braced: [], invalidBraced: [] };
  eachString(value, (s) => {
    if (isExpression(s)) return;
    const scan = scanExpressions(s);
    for (const f of scan.found) (f.braced ? forms.braced : forms.unbraced).push(f.expr.text);
    forms.invalidBraced.push(...scan.invalidBraced);
  });
  return forms;
}

/** Replaces `{$…}` with a neutral value so the rest of a condition can be checked before run time. */
export function withoutBraced(condition: string): string {
  return findEmbeddedForms(condition).braced.reduce((s, e) => s.split(`{${e}}`).join('0'), condition);
}
