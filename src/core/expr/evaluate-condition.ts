// Evaluation of a parsed condition. Semantics follow Arazzo 1.1 (usable for 1.0.x documents): case-insensitive
// string comparison, numeric strings coerced when compared with a number, null equal only to null, short-circuit
// && and ||.
// Pure code: runs inside the Temporal workflow sandbox.
import type { ExpressionContext } from '../types';
import type { CompareOp, ConditionNode } from './ast';
import { parseCondition } from './condition-parser';
import { evaluateExpression, memberOf } from './evaluate-expression';

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
  return (
    ka.length === kb.length &&
    ka.every((k) => Object.hasOwn(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
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
