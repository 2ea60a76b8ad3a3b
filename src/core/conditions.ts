// The Arazzo "simple" condition language: tokenizer, recursive-descent parser, evaluator.
// Semantics follow Arazzo 1.1 (usable for 1.0.x documents): case-insensitive string comparison, numeric
// strings coerced when compared with a number, null equal only to null, short-circuit && and ||.
// With `contextRoot`, a bare `$` stands for a criterion's context value: that is the comparison dialect that
// documents write as JSONPath (`$.status == "completed"`), see criteria.ts.
// Pure code: runs inside the Temporal workflow sandbox.
import { evaluateExpression, memberOf, readExpression, type ParsedExpression } from './expressions';
import type { ExpressionContext } from './types';

export class ConditionParseError extends Error {
  constructor(
    readonly condition: string,
    /** 1-based column of the offending character */
    readonly column: number,
    readonly reason: string,
  ) {
    super(`Invalid condition '${condition}' at column ${column}: ${reason}`);
    this.name = 'ConditionParseError';
  }
}

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

export type ConditionNode =
  | { type: 'literal'; value: string | number | boolean | null }
  | { type: 'expression'; expr: ParsedExpression }
  /** the criterion's context value (comparison dialect only) */
  | { type: 'context' }
  | { type: 'member'; object: ConditionNode; key: string | number }
  | { type: 'not'; operand: ConditionNode }
  | { type: 'compare'; op: CompareOp; left: ConditionNode; right: ConditionNode }
  | { type: 'logical'; op: '&&' | '||'; left: ConditionNode; right: ConditionNode };

/** Non-standard constructs a condition uses, so the validator can warn about them. */
export type ConditionFeature = 'doubleQuotedString' | 'lengthProperty';

export interface ParsedCondition {
  ast: ConditionNode;
  features: ConditionFeature[];
}

export interface ParseConditionOptions {
  /** accept double-quoted strings (default true) */
  lenient?: boolean;
  /** a bare `$` (`$.a`, `$['a']`, `$[0]`) denotes the context value */
  contextRoot?: boolean;
}

// ---------- tokenizer ----------

type Token = { col: number } & (
  | { kind: 'number'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'keyword'; value: boolean | null }
  | { kind: 'punct'; value: string }
  | { kind: 'name'; value: string }
  | { kind: 'expression'; expr: ParsedExpression }
  | { kind: 'context' }
  | { kind: 'end' }
);

const PUNCT = ['==', '!=', '<=', '>=', '&&', '||', '<', '>', '!', '(', ')', '[', ']', '.'];
const NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?/;
const MEMBER_NAME = /^[A-Za-z0-9_$-]+/;
const KEYWORDS: Record<string, boolean | null> = { true: true, false: false, null: null };

function tokenize(src: string, opts: ParseConditionOptions, features: Set<ConditionFeature>): Token[] {
  const tokens: Token[] = [];
  const fail = (at: number, reason: string): never => {
    throw new ConditionParseError(src, at + 1, reason);
  };
  let i = 0;
  while (i < src.length) {
    const ch = src[i];
    const col = i + 1;
    const rest = src.slice(i);
    const previous = tokens[tokens.length - 1];
    if (/\s/.test(ch)) {
      i++;
    } else if (previous?.kind === 'punct' && previous.value === '.') {
      const m = MEMBER_NAME.exec(rest) ?? fail(i, "expected a member name after '.'");
      if (m[0] === 'length') features.add('lengthProperty');
      tokens.push({ kind: 'name', value: m[0], col });
      i += m[0].length;
    } else if (ch === "'" || ch === '"') {
      if (ch === '"') {
        if (opts.lenient === false) fail(i, "double-quoted strings are not allowed; use single quotes ('' escapes a quote)");
        features.add('doubleQuotedString');
      }
      const { value, end } = readString(src, i) ?? fail(i, `unterminated string starting here`);
      tokens.push({ kind: 'string', value, col });
      i = end;
    } else if (ch === '$') {
      const bare = i + 1 >= src.length || /[\s.[)=!<>&|]/.test(src[i + 1]);
      if (bare) {
        if (!opts.contextRoot) fail(i, "'$' alone is a JSONPath root, not a runtime expression: use a criterion of type jsonpath");
        tokens.push({ kind: 'context', col });
        i++;
      } else {
        const read = readExpression(src, i, 'condition');
        if (!read.ok) fail(read.at, `expected ${read.expected}`);
        else {
          tokens.push({ kind: 'expression', expr: read.expr, col });
          i = read.end;
        }
      }
    } else if (NUMBER.test(rest)) {
      const text = NUMBER.exec(rest)![0];
      tokens.push({ kind: 'number', value: Number(text), col });
      i += text.length;
    } else {
      const word = /^[A-Za-z_]+/.exec(rest)?.[0];
      const punct = PUNCT.find((p) => rest.startsWith(p));
      if (word !== undefined && Object.hasOwn(KEYWORDS, word)) {
        tokens.push({ kind: 'keyword', value: KEYWORDS[word], col });
        i += word.length;
      } else if (punct) {
        tokens.push({ kind: 'punct', value: punct, col });
        i += punct.length;
      } else {
        fail(i, `unexpected '${word ?? ch}': expected a literal (true, false, null, a number, a 'string'), a runtime expression, an operator or a parenthesis`);
      }
    }
  }
  tokens.push({ kind: 'end', col: src.length + 1 });
  return tokens;
}

/** Reads a quoted string: '…' with '' for a quote (Arazzo), or "…" with backslash escapes (lenient). */
function readString(src: string, start: number): { value: string; end: number } | undefined {
  const quote = src[start];
  let value = '';
  for (let i = start + 1; i < src.length; i++) {
    const ch = src[i];
    if (quote === '"' && ch === '\\' && i + 1 < src.length) value += src[++i];
    else if (ch !== quote) value += ch;
    else if (quote === "'" && src[i + 1] === "'") value += src[i++];
    else return { value, end: i + 1 };
  }
  return undefined;
}

// ---------- parser ----------

class Parser {
  private i = 0;
  constructor(
    private readonly src: string,
    private readonly tokens: Token[],
  ) {}

  parse(): ConditionNode {
    const node = this.or();
    if (this.peek().kind !== 'end') this.fail(`unexpected ${this.describe(this.peek())}: expected an operator or the end`);
    return node;
  }

  private peek(): Token {
    return this.tokens[this.i];
  }

  private fail(reason: string, token = this.peek()): never {
    throw new ConditionParseError(this.src, token.col, reason);
  }

  private describe(t: Token): string {
    if (t.kind === 'end') return 'end of condition';
    return `'${this.src.slice(t.col - 1, (this.tokens[this.tokens.indexOf(t) + 1]?.col ?? t.col) - 1).trim()}'`;
  }

  private punct(...values: string[]): string | undefined {
    const t = this.peek();
    if (t.kind === 'punct' && values.includes(t.value)) {
      this.i++;
      return t.value;
    }
    return undefined;
  }

  private or(): ConditionNode {
    let left = this.and();
    while (this.punct('||')) left = { type: 'logical', op: '||', left, right: this.and() };
    return left;
  }

  private and(): ConditionNode {
    let left = this.comparison();
    while (this.punct('&&')) left = { type: 'logical', op: '&&', left, right: this.comparison() };
    return left;
  }

  private comparison(): ConditionNode {
    const left = this.unary();
    const op = this.punct('==', '!=', '<', '<=', '>', '>=') as CompareOp | undefined;
    if (!op) return left;
    const node: ConditionNode = { type: 'compare', op, left, right: this.unary() };
    if (this.punct('==', '!=', '<', '<=', '>', '>=')) this.fail('comparisons cannot be chained: add parentheses', this.tokens[this.i - 1]);
    return node;
  }

  private unary(): ConditionNode {
    if (this.punct('!')) return { type: 'not', operand: this.unary() };
    return this.postfix(this.primary());
  }

  private primary(): ConditionNode {
    const t = this.peek();
    this.i++;
    switch (t.kind) {
      case 'number':
      case 'string':
      case 'keyword':
        return { type: 'literal', value: t.value };
      case 'expression':
        return { type: 'expression', expr: t.expr };
      case 'context':
        return { type: 'context' };
      case 'punct':
        if (t.value === '(') {
          const inner = this.or();
          if (!this.punct(')')) this.fail(`expected ')' to close the '(' at column ${t.col}`);
          return inner;
        }
    }
    this.i--;
    return this.fail(`expected a literal, a runtime expression or '(' but found ${this.describe(t)}`);
  }

  private postfix(node: ConditionNode): ConditionNode {
    for (;;) {
      if (this.punct('.')) {
        const t = this.peek();
        if (t.kind !== 'name') this.fail("expected a member name after '.'");
        this.i++;
        node = { type: 'member', object: node, key: t.value };
      } else if (this.punct('[')) {
        const t = this.peek();
        if ((t.kind !== 'number' || !Number.isInteger(t.value) || t.value < 0) && t.kind !== 'string') {
          this.fail("expected an index or a quoted member name after '['");
        }
        this.i++;
        if (!this.punct(']')) this.fail("expected ']'");
        node = { type: 'member', object: node, key: t.value };
      } else {
        return node;
      }
    }
  }
}

export function parseCondition(src: string, opts: ParseConditionOptions = {}): ParsedCondition {
  const features = new Set<ConditionFeature>();
  const tokens = tokenize(src, opts, features);
  if (tokens.length === 1) throw new ConditionParseError(src, 1, 'the condition is empty');
  return { ast: new Parser(src, tokens).parse(), features: [...features] };
}

// ---------- evaluation ----------

export interface EvaluateConditionOptions {
  /** value of a bare `$` (comparison dialect) */
  contextValue?: unknown;
  /**
   * How a non-boolean operand of `!`, `&&`, `||` (or the whole condition) counts:
   * 'strict' (simple conditions): only `true` is true, anything else is false and noted;
   * 'exists' (comparison dialect): booleans as they are, otherwise true when present and not null.
   */
  truthiness?: 'strict' | 'exists';
}

export interface ConditionResult {
  passed: boolean;
  /** what the condition evaluated to */
  value: unknown;
  /** things worth logging: non-boolean values used as booleans, incomparable operands */
  notes: string[];
}

function describeValue(v: unknown): string {
  const text = v === undefined ? 'undefined' : JSON.stringify(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

const NUMERIC = /^\s*[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\s*$/;

/** Brings two scalars to a common comparable type, or returns undefined when they have none. */
function comparable(a: unknown, b: unknown): [number, number] | [string, string] | [boolean, boolean] | undefined {
  if (typeof a === 'number' && typeof b === 'number') return [a, b];
  if (typeof a === 'number' && typeof b === 'string') return NUMERIC.test(b) ? [a, Number(b)] : undefined;
  if (typeof a === 'string' && typeof b === 'number') return NUMERIC.test(a) ? [Number(a), b] : undefined;
  if (typeof a === 'boolean' && typeof b === 'boolean') return [a, b];
  const isText = (v: unknown) => typeof v === 'string' || typeof v === 'boolean';
  if (isText(a) && isText(b)) return [String(a).toLowerCase(), String(b).toLowerCase()];
  return undefined;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function compare(op: CompareOp, left: unknown, right: unknown, notes: string[]): boolean {
  const a = left ?? null;
  const b = right ?? null;
  const ordering = op !== '==' && op !== '!=';
  let equal: boolean;
  if (a === null || b === null || typeof a === 'object' || typeof b === 'object') {
    equal = a === null || b === null ? a === b : deepEqual(a, b);
  } else {
    const pair = comparable(a, b);
    if (pair && ordering && typeof pair[0] !== 'boolean') {
      const [x, y] = pair;
      return op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : x >= y;
    }
    equal = pair !== undefined && pair[0] === pair[1];
  }
  if (ordering) {
    notes.push(`cannot order ${describeValue(left)} and ${describeValue(right)} with '${op}': false`);
    return false;
  }
  return op === '==' ? equal : !equal;
}

class Evaluator {
  readonly notes: string[] = [];
  constructor(
    private readonly ctx: ExpressionContext,
    private readonly opts: EvaluateConditionOptions,
  ) {}

  truth(v: unknown, where: string): boolean {
    if (this.opts.truthiness === 'exists') return typeof v === 'boolean' ? v : v !== undefined && v !== null;
    if (typeof v !== 'boolean') this.notes.push(`${where} is ${describeValue(v)}, not a boolean: treated as false`);
    return v === true;
  }

  eval(node: ConditionNode): unknown {
    switch (node.type) {
      case 'literal':
        return node.value;
      case 'expression':
        return evaluateExpression(node.expr, this.ctx);
      case 'context':
        return this.opts.contextValue;
      case 'member':
        return memberOf(this.eval(node.object), node.key);
      case 'not':
        return !this.truth(this.eval(node.operand), "the operand of '!'");
      case 'compare':
        return compare(node.op, this.eval(node.left), this.eval(node.right), this.notes);
      case 'logical': {
        const left = this.truth(this.eval(node.left), `the left operand of '${node.op}'`);
        if (node.op === '&&' ? !left : left) return left;
        return this.truth(this.eval(node.right), `the right operand of '${node.op}'`);
      }
    }
  }
}

/** Evaluates a condition (parsed leniently when given as text). It passes only when it evaluates to true. */
export function evaluateCondition(
  condition: string | ConditionNode,
  ctx: ExpressionContext,
  opts: EvaluateConditionOptions = {},
): ConditionResult {
  const ast = typeof condition === 'string' ? parseCondition(condition, { contextRoot: 'contextValue' in opts }).ast : condition;
  const evaluator = new Evaluator(ctx, opts);
  const value = evaluator.eval(ast);
  const passed = evaluator.truth(value, 'the condition');
  return { passed, value, notes: evaluator.notes };
}
