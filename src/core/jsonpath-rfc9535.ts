// jsonpath-rfc9535, with one fix. Its parser (1.3.0) gives an index segment of a singular query — `@.tags[0]` in a
// comparison such as `$.items[?@.tags[0] == 'x']` — as {type: 'IndexSelector', selector: {type: 'IndexSelector',
// value}}, and its evaluator reads `value` off the outer node: the index is undefined and such a comparison never
// matches (RFC 9535 2.3.5.1: it must). A query with such a segment is rewritten before the library runs it: each
// singular query that ends in or passes through an index becomes `value(<the same query>)`, which RFC 9535 defines
// to be the same thing (the one node's value, or Nothing when it selects none) and which the library evaluates
// through its filter-query path, which reads indexes right. Every user of the library in src imports it from here.
// Pure code, usable in the workflow sandbox.
import { exec as libExec, paths as libPaths, query as libQuery, type JsonValue } from 'jsonpath-rfc9535';

type Parse = (expression: string) => unknown;
const parse = require('jsonpath-rfc9535/parser').default as Parse;

type Node = Record<string, unknown> & { type?: string };
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The index of an IndexSelector in either shape (flat, or nested as the parser gives it in singular queries). */
const indexOf = (n: Node): number => (isNode(n.selector) ? (n.selector.value as number) : (n.value as number));

const name = (v: unknown) => `[${JSON.stringify(v)}]`;

function selector(n: Node): string {
  switch (n.type) {
    case 'NameSelector':
    case 'MemberNameShorthand':
      return name(n.value);
    case 'IndexSelector':
      return `[${indexOf(n)}]`;
    case 'WildcardSelector':
      return '[*]';
    case 'SliceSelector':
      return `[${n.start ?? ''}:${n.end ?? ''}${n.step === null || n.step === undefined ? '' : `:${n.step}`}]`;
    case 'FilterSelector':
      return `[?${expr(n.value as Node)}]`;
    case 'BracketedSelection':
      return `[${(n.selectors as Node[]).map((s) => selector(s).slice(1, -1)).join(', ')}]`;
    default:
      throw new Error(`unexpected JSONPath node ${n.type}`);
  }
}

function segments(list: Node[]): string {
  return list.map((s) => (s.type === 'DescendantSegment' ? '..' : '') + selector(s.node as Node)).join('');
}

const hasIndex = (n: Node) => (n.segments as Node[]).some((s) => (s.node as Node).type === 'IndexSelector');

function expr(n: Node): string {
  switch (n.type) {
    case 'LogicalOrExpr':
      return `(${expr(n.left as Node)} || ${expr(n.right as Node)})`;
    case 'LogicalAndExpr':
      return `(${expr(n.left as Node)} && ${expr(n.right as Node)})`;
    case 'LogicalNotExpr':
      return `!(${expr(n.expression as Node)})`;
    case 'TestExpr':
      return expr(n.expression as Node);
    case 'ComparisonExpr':
      return `${expr(n.left as Node)} ${n.op as string} ${expr(n.right as Node)}`;
    case 'Literal':
      return JSON.stringify(n.value);
    case 'FilterQuery':
      return expr(n.value as Node);
    case 'RelQuery':
      return `@${segments(n.segments as Node[])}`;
    case 'JsonPathQuery':
      return `$${segments(n.segments as Node[])}`;
    case 'RelSingularQuery':
    case 'AbsSingularQuery': {
      const text = `${n.type === 'RelSingularQuery' ? '@' : '$'}${segments(n.segments as Node[])}`;
      return hasIndex(n) ? `value(${text})` : text;
    }
    case 'FunctionExpr':
      return `${n.name as string}(${(n.arguments as Node[]).map(expr).join(', ')})`;
    default:
      throw new Error(`unexpected JSONPath node ${n.type}`);
  }
}

/** Does the AST hold a singular query (in a comparison) with an index segment? */
function needsRewrite(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(needsRewrite);
  if (!isNode(node)) return false;
  if ((node.type === 'RelSingularQuery' || node.type === 'AbsSingularQuery') && hasIndex(node)) return true;
  return Object.values(node).some(needsRewrite);
}

const rewritten = new Map<string, string>();
const REWRITE_CACHE = 500;

/** The query as the library evaluates it right (see the header); syntax errors are left to the library to report. */
export function fixedQuery(expression: string): string {
  const known = rewritten.get(expression);
  if (known !== undefined) return known;
  let out = expression;
  try {
    const ast = parse(expression) as Node;
    if (needsRewrite(ast)) out = `$${segments(ast.segments as Node[])}`;
  } catch {
    /* not a valid query: the library says why */
  }
  if (rewritten.size >= REWRITE_CACHE) rewritten.clear();
  rewritten.set(expression, out);
  return out;
}

/** The parser, for checking a query's syntax and reading its shape. */
export const parseRfc9535: Parse = parse;

export const query = (input: JsonValue, expression: string): JsonValue[] => libQuery(input, fixedQuery(expression));
export const paths = (input: JsonValue, expression: string): string[] => libPaths(input, fixedQuery(expression));
export const exec: typeof libExec = (input, expression, cb) => libExec(input, fixedQuery(expression), cb);
export type { JsonValue };
