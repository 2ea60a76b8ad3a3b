// Runtime expressions ($inputs.x, $steps.s.outputs.y, $response.body#/a/0, …): the reader that turns the text at
// a position into a ParsedExpression. Where an expression sits decides where it ends (ReadMode).
// Pure code: runs inside the Temporal workflow sandbox.
import { EXPRESSION_ROOTS, type ExpressionTarget, type ParsedExpression } from './ast';
import { ExpressionError } from './errors';

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

/** `.<id><separator><name>`: $steps.<stepId>.outputs.<name>, $sourceDescriptions.<name>.<field>. */
function idAndName(
  r: Reader,
  root: string,
  [idLabel, idWhat]: readonly [string, string],
  [separator, rest, nameWhat]: readonly [string, string, string],
): [string, string] {
  r.expect('.', `'.<${idLabel}>' after $${root}`);
  const id = r.token(CHARSET.id, idWhat);
  r.expect(separator, `'${rest}' after $${root}.${id}`);
  return [id, r.token(CHARSET.name, nameWhat)];
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
      const [stepId, name] = idAndName(r, root, ['stepId', 'a step id'], ['.outputs.', '.outputs.<name>', 'an output name']);
      return { root, stepId, name };
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
      const id = ['name', 'a source description name'] as const;
      const [sourceName, name] = idAndName(r, root, id, ['.', '.<field or operationId>', 'a source description field or operationId']);
      return { root, sourceName, name };
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
    const hint =
      rest.startsWith('.') && 'source' in read.expr && read.expr.source === 'body'
        ? ` (use ${read.expr.text}#/${rest.slice(1).replace(/\./g, '/')} to point into the body)`
        : '';
    throw new ExpressionError(src, `unexpected '${rest}' after ${read.expr.text}${hint}`);
  }
  return read.expr;
}

/** True when the whole string is one runtime expression. */
export function isExpression(src: string): boolean {
  const read = readExpression(src, 0, 'whole');
  return read.ok && read.end === src.length;
}
