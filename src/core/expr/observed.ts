// What a step's action criteria looked at, for the message of a step whose response matched no action: the
// `$.x.y` paths of comparison-dialect criteria (read on the criterion's context) and the `$response.body#/…` and
// `$response.header.…` operands of conditions, from the criteria's parsed forms.
// Pure code: runs inside the Temporal workflow sandbox.
import type { PlanStep } from '../plan';
import type { Criterion, ExpressionContext } from '../types';
import type { ConditionNode, CriterionAst, ParsedExpression } from './ast';
import { compileCriterion } from './criteria';
import { evaluateExpression } from './evaluate-expression';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** The condition of a criterion's AST, if it has one (simple, or a comparison-dialect jsonpath). */
function conditionOf(ast: CriterionAst): ConditionNode | undefined {
  if (ast.type === 'simple') return ast.condition;
  return ast.type === 'jsonpath' && ast.read && 'comparison' in ast.read ? ast.read.comparison : undefined;
}

/** The member names of a chain `$.a.b[0]` that starts at the context value, up to the first that is not a name. */
function contextPath(node: ConditionNode): string[] | undefined {
  const keys: (string | number)[] = [];
  let n = node;
  while (n.type === 'member') {
    keys.unshift(n.key);
    n = n.object;
  }
  if (n.type !== 'context') return undefined;
  const end = keys.findIndex((k) => typeof k !== 'string' || !IDENTIFIER.test(k));
  return (end < 0 ? keys : keys.slice(0, end)) as string[];
}

function visit(node: ConditionNode, paths: string[][], operands: ParsedExpression[]): void {
  switch (node.type) {
    case 'member': {
      const path = contextPath(node);
      if (path) return void (path.length && paths.push(path));
      return visit(node.object, paths, operands);
    }
    case 'expression':
      if (node.expr.root === 'response' && (node.expr.source === 'header' || node.expr.pointer?.startsWith('/'))) operands.push(node.expr);
      return;
    case 'not':
      return visit(node.operand, paths, operands);
    case 'compare':
    case 'logical':
      visit(node.left, paths, operands);
      return visit(node.right, paths, operands);
  }
}

function safely(f: () => unknown): unknown {
  try {
    return f();
  } catch {
    return undefined;
  }
}

function observe(c: Criterion, ctx: ExpressionContext, observed: Record<string, unknown>): void {
  const ast = c.ast ?? (safely(() => compileCriterion(c)) as CriterionAst | undefined);
  const condition = ast && conditionOf(ast);
  if (!ast || !condition) return;
  const base = ast.type !== 'simple' && ast.context ? safely(() => evaluateExpression(ast.context!, ctx)) : ctx.response?.body;
  const paths: string[][] = [];
  const operands: ParsedExpression[] = [];
  visit(condition, paths, operands);
  for (const path of paths) {
    const key = `$.${path.join('.')}`;
    if (!(key in observed))
      observed[key] = path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), base);
  }
  for (const e of operands) if (!(e.text in observed)) observed[e.text] = safely(() => evaluateExpression(e, ctx));
}

/** Values of the `$.x.y` paths that a step's action criteria test: what a person needs to see when none matched. */
export function observedValues(step: Pick<PlanStep, 'onSuccess' | 'onFailure'>, ctx: ExpressionContext): Record<string, unknown> {
  const observed: Record<string, unknown> = {};
  for (const action of [...step.onSuccess, ...step.onFailure]) for (const c of action.criteria ?? []) observe(c, ctx, observed);
  return observed;
}
