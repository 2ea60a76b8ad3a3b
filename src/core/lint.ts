// Checks on a compiled plan that need the expression and criterion parsers: every criterion and
// expression parses, `$steps` references name real steps and declared outputs, and the lenient forms
// real documents use are reported as warnings (errors with --strict).
import { checkCriterion } from './criteria';
import { findEmbeddedForms, isExpression, parseExpression, scanExpressions, EXPRESSION_ROOTS } from './expressions';
import type { Criterion, Diagnostic, Plan, PlanStep } from './types';

const OUTPUT_NAME = /^[a-zA-Z0-9.\-_]+$/;
const LOOKS_LIKE_EXPRESSION = new RegExp(`^\\$(${EXPRESSION_ROOTS.join('|')})\\b`);

function actionsOf(step: PlanStep) {
  return [...step.onSuccess.map((a) => ({ a, list: 'onSuccess' })), ...step.onFailure.map((a) => ({ a, list: 'onFailure' }))];
}

/** Two conditions that are each other's negation (`X == v` / `X != v`) cover every response between them. */
function complementary(conditions: string[]): boolean {
  const norm = (c: string) => c.replace(/\s+/g, '').replace(/"/g, "'");
  const set = new Set(conditions.map(norm));
  return conditions.some((c) => c.includes('!=') && set.has(norm(c.replace('!=', '=='))));
}

export function lintPlan(plan: Plan): Diagnostic[] {
  const out: Diagnostic[] = [];
  const stepIds = new Set(plan.steps.map((s) => s.stepId));
  const outputsOf = new Map(plan.steps.map((s) => [s.stepId, new Set(Object.keys(s.outputs))]));

  const report = (severity: Diagnostic['severity'], code: string, message: string, step?: PlanStep) =>
    out.push({ severity, code, message, workflowId: plan.workflowId, stepId: step?.stepId, pos: step?.pos ?? { file: plan.document.file } });

  /** `$steps.x.outputs.y` must name a step of this workflow and an output it declares. */
  const checkStepRefs = (value: unknown, where: string, step?: PlanStep) => {
    const texts: string[] = [];
    const collect = (v: unknown): void => {
      if (typeof v === 'string') texts.push(v);
      else if (Array.isArray(v)) v.forEach(collect);
      else if (v && typeof v === 'object') Object.values(v).forEach(collect);
    };
    collect(value);
    for (const text of texts) {
      for (const { expr } of scanExpressions(text).found) {
        if (expr.root !== 'steps') continue;
        if (!stepIds.has(expr.stepId)) report('error', 'unknown-step-reference', `${where} refers to $steps.${expr.stepId}, but workflow ${plan.workflowId} has no step "${expr.stepId}"`, step);
        else if (!outputsOf.get(expr.stepId)?.has(expr.name) && ![...(outputsOf.get(expr.stepId) ?? [])].some((o) => expr.name.startsWith(`${o}.`)))
          report('error', 'unknown-output-reference', `${where} refers to $steps.${expr.stepId}.outputs.${expr.name}, but step ${expr.stepId} declares no output "${expr.name}"`, step);
      }
    }
  };

  const checkCriteria = (criteria: Criterion[] | undefined, where: string, step: PlanStep) => {
    for (const c of criteria ?? []) {
      const check = checkCriterion(c);
      for (const e of check.errors) report('error', 'bad-criterion', `${where}: ${e}`, step);
      for (const w of check.warnings) report('warning', w.code, `${where}: ${w.message}`, step);
    }
    checkStepRefs(criteria, where, step);
  };

  const checkValues = (value: unknown, where: string, step: PlanStep) => {
    const forms = findEmbeddedForms(value);
    for (const u of forms.unbraced) report('warning', 'unbraced-expression', `${where}: "${u}" is written without braces inside a string; it is interpolated (the spec's form is {${u}})`, step);
    for (const bad of forms.invalidBraced) report('error', 'bad-expression', `${where}: "${bad}" is not a valid runtime expression`, step);
    const walk = (v: unknown): void => {
      if (typeof v === 'string' && LOOKS_LIKE_EXPRESSION.test(v) && !/\s/.test(v) && !isExpression(v)) {
        try {
          parseExpression(v);
        } catch (err) {
          report('error', 'bad-expression', `${where}: ${(err as Error).message}`, step);
        }
      } else if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk(value);
    checkStepRefs(value, where, step);
  };

  const checkOutputs = (outputs: Record<string, string>, where: string, step?: PlanStep) => {
    for (const [name, expr] of Object.entries(outputs)) {
      if (!OUTPUT_NAME.test(name)) report('error', 'bad-output-name', `${where}: output name "${name}" must match ${OUTPUT_NAME}`, step);
      try {
        parseExpression(String(expr));
      } catch (err) {
        report('error', 'bad-expression', `${where} output "${name}": ${(err as Error).message}`, step);
      }
    }
    checkStepRefs(outputs, `${where} outputs`, step);
  };

  for (const [i, step] of plan.steps.entries()) {
    checkCriteria(step.successCriteria, 'successCriteria', step);
    for (const { a, list } of actionsOf(step)) checkCriteria(a.criteria, `${list} action "${a.name}"`, step);
    checkValues(step.parameters.map((p) => p.value), 'parameters', step);
    if (step.requestBody) checkValues([step.requestBody.payload, step.requestBody.replacements], 'requestBody', step);
    checkOutputs(step.outputs, `step ${step.stepId}`, step);

    const loops = step.onSuccess.some((a) => a.type === 'goto' && plan.steps.findIndex((s) => s.stepId === a.stepId) <= i);
    const guarded = step.onSuccess.length > 0 && step.onSuccess.every((a) => a.criteria?.length);
    const conditions = step.onSuccess.flatMap((a) => (a.criteria?.length === 1 ? [a.criteria[0].condition] : []));
    if (loops && guarded && !complementary(conditions)) {
      report(
        'warning',
        'poll-without-failure-branch',
        `step ${step.stepId} loops while its criteria say the job is unfinished, but no action covers the other outcomes (e.g. failed, expired, cancelled): such a response stops the run with an error naming the step and status (--on-unmatched continue goes on to the next step, as the spec reads)`,
        step,
      );
    }
  }
  checkOutputs(plan.outputs, `workflow ${plan.workflowId}`);
  return out;
}
