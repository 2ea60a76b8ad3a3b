// The tokenizer of the Arazzo "simple" condition language (and of the comparison dialect, where a bare `$` is the
// criterion's context value). Runtime expressions in a condition are read by expression-reader.ts.
// Pure code: runs inside the Temporal workflow sandbox.
import type { ConditionFeature, ParsedExpression } from './ast';
import { ConditionParseError } from './errors';
import { readExpression } from './expression-reader';

export interface ParseConditionOptions {
  /** accept double-quoted strings (default true) */
  lenient?: boolean;
  /** a bare `$` (`$.a`, `$['a']`, `$[0]`) denotes the context value */
  contextRoot?: boolean;
}

export type Token = { col: number } & (
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

export function tokenize(src: string, opts: ParseConditionOptions, features: Set<ConditionFeature>): Token[] {
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
      const token = dollar(src, i, opts, fail);
      tokens.push(token);
      i = token.kind === 'context' ? i + 1 : token.end;
    } else if (NUMBER.test(rest)) {
      const text = NUMBER.exec(rest)![0];
      tokens.push({ kind: 'number', value: Number(text), col });
      i += text.length;
    } else {
      const token = wordOrPunct(rest, col) ?? fail(i, `unexpected '${/^[A-Za-z_]+/.exec(rest)?.[0] ?? ch}': ${EXPECTED}`);
      tokens.push(token);
      i += token.length;
    }
  }
  tokens.push({ kind: 'end', col: src.length + 1 });
  return tokens;
}

const EXPECTED = "expected a literal (true, false, null, a number, a 'string'), a runtime expression, an operator or a parenthesis";

/** A bare `$` (the context value, comparison dialect) or a runtime expression. */
function dollar(
  src: string,
  i: number,
  opts: ParseConditionOptions,
  fail: (at: number, reason: string) => never,
): { kind: 'context'; col: number } | { kind: 'expression'; expr: ParsedExpression; col: number; end: number } {
  const bare = i + 1 >= src.length || /[\s.[)=!<>&|]/.test(src[i + 1]);
  if (bare) {
    if (!opts.contextRoot) fail(i, "'$' alone is a JSONPath root, not a runtime expression: use a criterion of type jsonpath");
    return { kind: 'context', col: i + 1 };
  }
  const read = readExpression(src, i, 'condition');
  if (!read.ok) return fail(read.at, `expected ${read.expected}`);
  return { kind: 'expression', expr: read.expr, col: i + 1, end: read.end };
}

/** A keyword (true, false, null) or an operator or bracket, with its length. */
function wordOrPunct(rest: string, col: number): (Token & { length: number }) | undefined {
  const word = /^[A-Za-z_]+/.exec(rest)?.[0];
  if (word !== undefined && Object.hasOwn(KEYWORDS, word)) return { kind: 'keyword', value: KEYWORDS[word], col, length: word.length };
  const punct = PUNCT.find((p) => rest.startsWith(p));
  return punct ? { kind: 'punct', value: punct, col, length: punct.length } : undefined;
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
