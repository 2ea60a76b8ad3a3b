// Arazzo runtime expressions: parse, evaluate, and interpolate into values.
// Pure code: runs inside the Temporal workflow sandbox. Secrets are never resolved here, only passed on as
// references (whole values) or as placeholders (inside strings).
import { getPointer } from './jsonpointer';
import { secretPlaceholder } from './secrets';
import { isSecretRef, type ExpressionContext } from './types';

export class ExpressionError extends Error {
  constructor(
    readonly expression: string,
    reason: string,
  ) {
    super(`Invalid runtime expression '${expression}': ${reason}`);
    this.name = 'ExpressionError';
  }
}

type ComponentKind = 'inputs' | 'parameters' | 'successActions' | 'failureActions';

/** What an expression designates, without its pointer suffix. */
export type ExpressionTarget =
  | { root: 'url' | 'method' | 'statusCode' }
  | { root: 'request'; source: 'header' | 'query' | 'path'; name: string }
  | { root: 'response'; source: 'header'; name: string }
  | { root: 'request' | 'response'; source: 'body' }
  /** Arazzo 1.1 `$message.header.<name>`, `$message.payload` (`$message.payload.a.b` as the spec's example writes it) */
  | { root: 'message'; source: 'header' | 'payload'; name?: string }
  | { root: 'inputs' | 'outputs'; name: string }
  | { root: 'steps'; stepId: string; name: string }
  | { root: 'workflows'; workflowId: string; field: 'inputs' | 'outputs'; name: string }
  | { root: 'sourceDescriptions'; sourceName: string; name: string }
  | { root: 'components'; kind: ComponentKind; name: string };

/** A parsed runtime expression. `pointer` is the JSON Pointer after `#` ('' = the whole value). */
export type ParsedExpression = ExpressionTarget & { text: string; pointer?: string };

// prettier-ignore
export const EXPRESSION_ROOTS = ['url', 'method', 'statusCode', 'request', 'response', 'message', 'inputs', 'outputs', 'steps', 'workflows', 'sourceDescriptions', 'components'] as const;

// ---------- reader ----------

/**
 * Where an expression sits decides where it ends:
 * - whole: the entire string is the expression;
 * - braced: inside `{$…}`;
 * - embedded: unbraced inside a string ("Bearer $inputs.apiKey"): a pointer ends at whitespace or a quote, and
 *   trailing dots are not part of a name ("… $inputs.name." ends a sentence);
 * - condition: an operand of a condition: names and pointers end at operators, brackets and whitespace.
 */
export type ReadMode = 'whole' | 'braced' | 'embedded' | 'condition';

const STOP: Record<ReadMode, RegExp> = {
  whole: /[{}]/,
  braced: /[{}]/,
  embedded: /[\s{}"']/,
  condition: /[\s{}()[\]=!<>&|,]/,
};

const CHARSET = {
  /** step, workflow and source ids (1.1 identifier-strict) */
  id: /[A-Za-z0-9_-]/,
  /** input, output and component names (dots allowed) */
  name: /[A-Za-z0-9_.-]/,
  /** HTTP header names (RFC 9110 tchar, without '#', which starts a pointer) */
  header: /[A-Za-z0-9!$%&'*+.^_`|~-]/,
  /** query and path parameter names */
  param: /[A-Za-z0-9_.~[\]-]/,
};

export type ReadResult = { ok: true; expr: ParsedExpression; end: number } | { ok: false; at: number; expected: string };

class ReadFailure {
  constructor(
    readonly at: number,
    readonly expected: string,
  ) {}
}

class Reader {
  constructor(
    readonly src: string,
    public pos: number,
    readonly mode: ReadMode,
  ) {}

  fail(expected: string): never {
    throw new ReadFailure(this.pos, expected);
  }

  expect(word: string, expected: string): void {
    if (!this.src.startsWith(word, this.pos)) this.fail(expected);
    this.pos += word.length;
  }

  /** Reads a run of `charset` characters (at least one). */
  token(charset: RegExp, what: string): string {
    const from = this.pos;
    while (this.pos < this.src.length && charset.test(this.src[this.pos]) && !STOP[this.mode].test(this.src[this.pos])) {
      this.pos++;
    }
    if (this.mode === 'embedded' && charset === CHARSET.name) while (this.pos > from && this.src[this.pos - 1] === '.') this.pos--;
    if (this.pos === from) this.fail(what);
    return this.src.slice(from, this.pos);
  }

  /** A word made of letters (root or keyword), without consuming it when it is not one of `words`. */
  oneOf<W extends string>(words: readonly W[], expected: string): W {
    const m = /^[A-Za-z0-9_]+/.exec(this.src.slice(this.pos));
    const word = words.find((w) => w === m?.[0]);
    if (!word) this.fail(expected);
    this.pos += word.length;
    return word;
  }

  /** Optional `#<json-pointer>` suffix. */
  pointer(): string | undefined {
    if (this.src[this.pos] !== '#') return undefined;
    this.pos++;
    const from = this.pos;
    while (this.pos < this.src.length && !STOP[this.mode].test(this.src[this.pos])) this.pos++;
    const pointer = this.src.slice(from, this.pos);
    if (pointer !== '' && !pointer.startsWith('/')) {
      this.pos = from;
      this.fail("a JSON Pointer starting with '/' after '#'");
    }
    if (/~(?![01])/.test(pointer)) this.fail("'~0' or '~1' (a '~' in a JSON Pointer must be escaped)");
    return pointer;
  }
}

function readTarget(r: Reader): ExpressionTarget {
  r.expect('$', "'$'");
  const root = r.oneOf(EXPRESSION_ROOTS, `a root: ${EXPRESSION_ROOTS.map((x) => '$' + x).join(', ')}`);
  switch (root) {
    case 'url':
    case 'method':
    case 'statusCode':
      return { root };
    case 'message': {
      r.expect('.', "'.' after $message");
      const source = r.oneOf(['header', 'payload'] as const, 'header or payload after $message.');
      if (source === 'payload' && r.src[r.pos] !== '.') return { root, source };
      r.expect('.', `'.<name>' after $message.${source}`);
      return { root, source, name: r.token(source === 'header' ? CHARSET.header : CHARSET.name, `a ${source} name`) };
    }
    case 'request':
    case 'response': {
      r.expect('.', `'.' after $${root}`);
      const sources = root === 'request' ? (['header', 'query', 'path', 'body'] as const) : (['header', 'body'] as const);
      const source = r.oneOf(sources, `${sources.join(', ')} after $${root}.`);
      if (source === 'body') return { root, source };
      r.expect('.', `'.<name>' after $${root}.${source}`);
      const name = r.token(source === 'header' ? CHARSET.header : CHARSET.param, `a ${source} name`);
      return root === 'request' ? { root, source, name } : { root, source: 'header', name };
    }
    case 'inputs':
    case 'outputs':
      r.expect('.', `'.<name>' after $${root}`);
      return { root, name: r.token(CHARSET.name, `an ${root.slice(0, -1)} name`) };
    case 'steps': {
      r.expect('.', "'.<stepId>' after $steps");
      const stepId = r.token(CHARSET.id, 'a step id');
      r.expect('.outputs.', `'.outputs.<name>' after $steps.${stepId}`);
      return { root, stepId, name: r.token(CHARSET.name, 'an output name') };
    }
    case 'workflows': {
      r.expect('.', "'.<workflowId>' after $workflows");
      const workflowId = r.token(CHARSET.id, 'a workflow id');
      r.expect('.', `'.inputs.<name>' or '.outputs.<name>' after $workflows.${workflowId}`);
      const field = r.oneOf(['inputs', 'outputs'] as const, `inputs or outputs after $workflows.${workflowId}.`);
      r.expect('.', `'.<name>' after $workflows.${workflowId}.${field}`);
      return { root, workflowId, field, name: r.token(CHARSET.name, `an ${field.slice(0, -1)} name`) };
    }
    case 'sourceDescriptions': {
      r.expect('.', "'.<name>' after $sourceDescriptions");
      const sourceName = r.token(CHARSET.id, 'a source description name');
      r.expect('.', `'.<field or operationId>' after $sourceDescriptions.${sourceName}`);
      return { root, sourceName, name: r.token(CHARSET.name, 'a source description field or operationId') };
    }
    case 'components': {
      r.expect('.', "'.<kind>' after $components");
      const kinds = ['inputs', 'parameters', 'successActions', 'failureActions'] as const;
      const kind = r.oneOf(kinds, `${kinds.join(', ')} after $components.`);
      r.expect('.', `'.<name>' after $components.${kind}`);
      return { root, kind, name: r.token(CHARSET.name, 'a component name') };
    }
  }
}

/** Reads the longest runtime expression starting at `start` (which must be a '$'). Never throws. */
export function readExpression(src: string, start: number, mode: ReadMode): ReadResult {
  const r = new Reader(src, start, mode);
  try {
    const target = readTarget(r);
    const pointer = r.pointer();
    const text = src.slice(start, r.pos);
    const expr: ParsedExpression = pointer === undefined ? { ...target, text } : { ...target, text, pointer };
    return { ok: true, expr, end: r.pos };
  } catch (e) {
    if (!(e instanceof ReadFailure)) throw e;
    return { ok: false, at: e.at, expected: e.expected };
  }
}

/** Parses a string that must be exactly one runtime expression. */
export function parseExpression(src: string): ParsedExpression {
  const read = readExpression(src, 0, 'whole');
  if (!read.ok) {
    const found = read.at < src.length ? `'${src.slice(read.at, read.at + 12)}'` : 'the end';
    throw new ExpressionError(src, `expected ${read.expected} at column ${read.at + 1}, found ${found}`);
  }
  if (read.end < src.length) {
    const rest = src.slice(read.end);
    const hint = rest.startsWith('.') && 'source' in read.expr && read.expr.source === 'body' ? ` (use ${read.expr.text}#/${rest.slice(1).replace(/\./g, '/')} to point into the body)` : '';
    throw new ExpressionError(src, `unexpected '${rest}' after ${read.expr.text}${hint}`);
  }
  return read.expr;
}

/** True when the whole string is one runtime expression. */
export function isExpression(src: string): boolean {
  const read = readExpression(src, 0, 'whole');
  return read.ok && read.end === src.length;
}

// ---------- evaluation ----------

/**
 * One step of navigation, as `.key` / `[key]` do in conditions: own members of objects, array elements, and
 * `length` of arrays and strings. Secret references are opaque.
 */
export function memberOf(value: unknown, key: string | number): unknown {
  if (key === 'length' && (typeof value === 'string' || Array.isArray(value))) return value.length;
  if (Array.isArray(value)) {
    const index = typeof key === 'number' ? key : /^(0|[1-9][0-9]*)$/.test(key) ? Number(key) : -1;
    return index >= 0 ? value[index] : undefined;
  }
  if (typeof value !== 'object' || value === null || isSecretRef(value)) return undefined;
  const k = String(key);
  return Object.hasOwn(value, k) ? (value as Record<string, unknown>)[k] : undefined;
}

/**
 * Looks `name` up in `map`. An exact key wins (output names may contain dots); otherwise the longest dotted
 * prefix that is a key, then member navigation for the rest ($inputs.user.name, $steps.s.outputs.items.length).
 */
function lookup(map: Record<string, unknown> | undefined, name: string, caseInsensitive = false): unknown {
  if (!map) return undefined;
  const find = (key: string): string | undefined =>
    Object.hasOwn(map, key) ? key : caseInsensitive ? Object.keys(map).find((k) => k.toLowerCase() === key.toLowerCase()) : undefined;
  const parts = name.split('.');
  for (let i = parts.length; i >= 1; i--) {
    const key = find(parts.slice(0, i).join('.'));
    if (key !== undefined) return parts.slice(i).reduce<unknown>(memberOf, map[key]);
  }
  return undefined;
}

function resolve(e: ParsedExpression, ctx: ExpressionContext): unknown {
  switch (e.root) {
    case 'url':
      return ctx.url;
    case 'method':
      return ctx.method;
    case 'statusCode':
      return ctx.statusCode;
    case 'request':
    case 'response': {
      const message = ctx[e.root];
      if (e.source === 'body') return message?.body;
      const map = e.source === 'header' ? message?.header : ctx.request?.[e.source];
      return lookup(map, e.name, e.source === 'header');
    }
    case 'message':
      return e.source === 'header' ? lookup(ctx.message?.header, e.name!, true) : e.name ? lookup({ p: ctx.message?.payload }, `p.${e.name}`) : ctx.message?.payload;
    case 'inputs':
      return lookup(ctx.inputs, e.name);
    case 'outputs':
      return lookup(ctx.outputs, e.name);
    case 'steps':
      return lookup(ctx.steps[e.stepId]?.outputs, e.name);
    case 'workflows':
      return lookup(ctx.workflows?.[e.workflowId]?.[e.field], e.name);
    case 'sourceDescriptions':
      return lookup(ctx.sourceDescriptions?.[e.sourceName], e.name);
    case 'components':
      return undefined; // resolved statically by the planner, never at run time
  }
}

/** The value of a runtime expression, type preserved. Missing values (and unknown steps) are undefined. */
export function evaluateExpression(src: string | ParsedExpression, ctx: ExpressionContext): unknown {
  const e = typeof src === 'string' ? parseExpression(src) : src;
  const value = resolve(e, ctx);
  if (!e.pointer) return value;
  return isSecretRef(value) ? undefined : getPointer(value, e.pointer);
}

// ---------- embedding in strings ----------

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
}

function evaluateString(s: string, ctx: ExpressionContext, lenient: boolean): unknown {
  if (isExpression(s)) return evaluateExpression(s, ctx);
  const parts = scanExpressions(s).found.filter((f) => f.braced || lenient);
  // A string that is exactly one {$…} keeps the type of the value, like a whole-value expression.
  if (parts.length === 1 && parts[0].braced && parts[0].start === 0 && parts[0].end === s.length) {
    return evaluateExpression(parts[0].expr, ctx);
  }
  let out = '';
  let at = 0;
  for (const p of parts) {
    out += s.slice(at, p.start) + toText(evaluateExpression(p.expr, ctx));
    at = p.end;
  }
  return out + s.slice(at);
}

/**
 * Evaluates every expression in a value (parameter value, payload, outputs): a string that is one expression
 * yields its value with its type; expressions inside strings are interpolated as text; arrays and objects are
 * walked; secret references and other scalars are returned as they are.
 */
export function evaluateValue(value: unknown, ctx: ExpressionContext, opts: EvaluateValueOptions = {}): unknown {
  const lenient = opts.lenient ?? true;
  if (typeof value === 'string') return evaluateString(value, ctx, lenient);
  if (Array.isArray(value)) return value.map((v) => evaluateValue(v, ctx, opts));
  if (typeof value === 'object' && value !== null && !isSecretRef(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, evaluateValue(v, ctx, opts)]));
  }
  return value;
}

/** Substitutes only `{$…}` (as text): for regex/jsonpath conditions, where a bare `$` has its own meaning. */
export function substituteBraced(s: string, ctx: ExpressionContext): string {
  let out = '';
  let at = 0;
  for (const p of scanExpressions(s).found.filter((f) => f.braced)) {
    out += s.slice(at, p.start) + toText(evaluateExpression(p.expr, ctx));
    at = p.end;
  }
  return out + s.slice(at);
}

// ---------- static helpers for validation ----------

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
