// What a step's expressions read, from their parsed forms: the workflow sends a step activity only the inputs,
// step results and workflow results its expressions name (which keeps activity inputs, and history, small).
// Pure code: runs inside the Temporal workflow sandbox.
import type { ParsedExpression } from './ast';
import { parsePlanValue } from './plan-expressions';

function isParsedExpression(v: object): v is ParsedExpression {
  const e = v as Partial<ParsedExpression>;
  return typeof e.root === 'string' && typeof e.text === 'string';
}

/** The parsed expressions in a tree of ASTs (an `expressions` table, a criterion's `ast`). */
function collectParsed(node: unknown, out: ParsedExpression[]): void {
  if (Array.isArray(node)) node.forEach((n) => collectParsed(n, out));
  else if (typeof node === 'object' && node !== null) {
    if (isParsedExpression(node)) out.push(node);
    else Object.values(node).forEach((n) => collectParsed(n, out));
  }
}

/** Where the parsed forms of a compiled value sit: its `expressions` tables and its criteria's `ast`. */
function collectCompiled(node: unknown, out: ParsedExpression[]): void {
  if (Array.isArray(node)) node.forEach((n) => collectCompiled(n, out));
  else if (typeof node === 'object' && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'expressions' || key === 'ast') collectParsed(value, out);
      else collectCompiled(value, out);
    }
  }
}

/**
 * Every runtime expression a plan step (or its cancel operation) holds, from the parsed forms the compiler put
 * in it; a value without them (not compiled here) is parsed now.
 */
export function expressionsIn(value: unknown): ParsedExpression[] {
  const out: ParsedExpression[] = [];
  const compiled = typeof value === 'object' && value !== null && 'expressions' in value;
  collectCompiled(compiled ? value : { expressions: parsePlanValue(value) }, out);
  return out;
}

/** `a`, `a.b`, `a.b.c`: the keys a dotted name may be looked up by ($inputs.user.name reads input `user`). */
export const namePrefixes = (name: string): string[] => name.split('.').map((_, i, parts) => parts.slice(0, i + 1).join('.'));
