// Does a poll step answer every response? Its actions cover the outcomes when
// - one condition is the negation of another (`status != 'done'` beside `status == 'done'`), or
// - the values its actions compare one response-body field with (the `==` terms of each condition's top-level
//   `||`), taken together, include every value the OpenAPI description's enum allows for that field.
// Anything else may leave a response that matches no action, which the linter warns about.
import { parseCondition, type ConditionNode } from './expr';

export function complementary(conditions: string[]): boolean {
  const norm = (c: string) => c.replace(/\s+/g, '').replace(/"/g, "'");
  const set = new Set(conditions.map(norm));
  return conditions.some((c) => c.includes('!=') && set.has(norm(c.replace('!=', '=='))));
}

/** The string values the top-level `||` terms of a condition compare each `$response.body#<pointer>` equal to. */
function equalities(node: ConditionNode, out: Map<string, Set<string>>): void {
  if (node.type === 'logical' && node.op === '||') {
    equalities(node.left, out);
    equalities(node.right, out);
    return;
  }
  if (node.type !== 'compare' || node.op !== '==') return;
  const [expr, lit] = node.left.type === 'expression' ? [node.left, node.right] : [node.right, node.left];
  if (expr.type !== 'expression' || lit.type !== 'literal' || typeof lit.value !== 'string') return;
  const e = expr.expr;
  if (e.root !== 'response' || !('source' in e) || e.source !== 'body' || e.pointer === undefined) return;
  out.set(e.pointer, (out.get(e.pointer) ?? new Set()).add(lit.value));
}

/** Every value of some enum field is named by the conditions (each the one criterion of an action). */
export function coversEnum(conditions: string[], enums: Record<string, string[]> | undefined): boolean {
  if (!enums) return false;
  const named = new Map<string, Set<string>>();
  for (const c of conditions) {
    try {
      equalities(parseCondition(c).ast, named);
    } catch {
      // a condition that does not parse is reported by the criteria checks; it covers nothing here
    }
  }
  return Object.entries(enums).some(([pointer, values]) => values.length > 0 && values.every((v) => named.get(pointer)?.has(v)));
}

/** Whether the actions' single conditions leave no response unanswered (see the top of this file). */
export function pollCovered(conditions: string[], enums: Record<string, string[]> | undefined): boolean {
  return complementary(conditions) || coversEnum(conditions, enums);
}
