// Parse once: the compiler (and the upgrade of an older plan) parses every expression of a plan here, and the
// plan carries the result. Criteria get their AST (`ast`); every string of a step or of the plan's outputs that
// holds a runtime expression or a `{$…}` template is parsed into the step's (the plan's) `expressions` table,
// keyed by the string. The workflow and the step activity evaluate from those, without scanning text again.
// Pure code: runs inside the Temporal workflow sandbox (the workflow upgrades older plans on entry).
import type { Plan, PlanAction, PlanStep } from '../plan';
import { isSecretRef, type Criterion, type ExpressionContext } from '../types';
import type { ParsedExpression, Template } from './ast';
import { compileCriterion } from './criteria';
import { evaluateExpression } from './evaluate-expression';
import { readExpression } from './expression-reader';
import { isSelectorValue, type SelectorValue } from './selector';
import { evaluateValue, parseTemplate } from './template';

/** Parsed strings by their text: a string of a value that is not a key holds no expression. */
export type ExpressionTable = Record<string, Template>;

/** A criterion with its AST; one that does not parse keeps none, and fails (with its error) where it is evaluated. */
export function withAst(c: Criterion): Criterion {
  const { ast: _ast, ...criterion } = c;
  try {
    return { ...criterion, ast: compileCriterion(criterion) };
  } catch {
    return criterion;
  }
}

function collect(value: unknown, into: ExpressionTable): void {
  if (typeof value === 'string') {
    if (!Object.hasOwn(into, value) && value.includes('$')) {
      const t = parseTemplate(value);
      if (t) into[value] = t;
    }
  } else if (Array.isArray(value)) value.forEach((v) => collect(v, into));
  // a selector's context is what it reads (the workflow sends the step activity what its expressions name)
  else if (isSelectorValue(value)) collect(value.$selector.context, into);
  else if (typeof value === 'object' && value !== null && !isSecretRef(value)) Object.values(value).forEach((v) => collect(v, into));
}

/** Every string of a value that holds an expression, parsed. */
export function parsePlanValue(value: unknown): ExpressionTable {
  const table: ExpressionTable = {};
  collect(value, table);
  return table;
}

const withCriteria = (a: PlanAction): PlanAction => (a.criteria ? { ...a, criteria: a.criteria.map(withAst) } : a);

/** A step with its criteria and its strings parsed (its criteria and description hold no values). */
export function parseStepExpressions(step: PlanStep): PlanStep {
  const { expressions: _old, description: _d, successCriteria, onSuccess, onFailure, ...values } = step;
  // a cancel's own table (a step parsed before) is not a value of the step
  const own = 'cancel' in values && values.cancel ? { ...values, cancel: { ...values.cancel, expressions: undefined } } : values;
  const expressions = parsePlanValue([own, onSuccess.map(({ criteria: _c, ...a }) => a), onFailure.map(({ criteria: _c, ...a }) => a)]);
  const cancel =
    step.kind === 'operation' && step.cancel ? { cancel: { ...step.cancel, expressions: parsePlanValue(step.cancel.parameters) } } : {};
  return {
    ...step,
    ...cancel,
    successCriteria: successCriteria.map(withAst),
    onSuccess: onSuccess.map(withCriteria),
    onFailure: onFailure.map(withCriteria),
    expressions,
  };
}

/** The plan (and every plan it can reach) with all its expressions parsed. */
export function parsePlanExpressions(plan: Plan): Plan {
  return {
    ...plan,
    steps: plan.steps.map(parseStepExpressions),
    expressions: parsePlanValue(plan.outputs),
    ...(plan.workflows && {
      workflows: Object.fromEntries(Object.entries(plan.workflows).map(([k, p]) => [k, parsePlanExpressions(p)])),
    }),
  };
}

/** An output's expression as the table holds it; without a table (a plan not compiled here) it is parsed now. */
export function parsedOutput(text: string, table: ExpressionTable | undefined): ParsedExpression | undefined {
  if (!table) return readWhole(text);
  const t = Object.hasOwn(table, text) ? table[text] : undefined;
  return t && 'expr' in t && t.expr.text === text ? t.expr : undefined;
}

function readWhole(text: string): ParsedExpression | undefined {
  const read = readExpression(text, 0, 'whole');
  return read.ok && read.end === text.length ? read.expr : undefined;
}

/** The value of an output (one runtime expression or an Arazzo 1.1 selector), from its parsed form when the table has it. */
export function evaluateOutput(text: string | SelectorValue, ctx: ExpressionContext, table?: ExpressionTable): unknown {
  if (typeof text !== 'string') return evaluateValue(text, ctx);
  return evaluateExpression(parsedOutput(text, table) ?? text, ctx);
}
