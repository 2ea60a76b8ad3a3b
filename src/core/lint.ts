// Checks on a compiled plan that need the expression and criterion parsers: every criterion and
// expression parses, `$steps` references name real steps (that can run before) and declared outputs, and the lenient forms
// real documents use are reported as warnings (errors with --strict).
import { didYouMean } from './suggest';
import { checkCriterion } from './expr';
import { findEmbeddedForms, isExpression, isSelectorValue, parseExpression, scanExpressions, EXPRESSION_ROOTS } from './expr';
import type { PlanSites } from './compile';
import { pollCovered } from './poll-coverage';
import { loopsBack, type Plan, type PlanOutput, type PlanStep } from './plan';
import type { Criterion, Diagnostic, Locate, PlanParameter } from './types';

const OUTPUT_NAME = /^[a-zA-Z0-9.\-_]+$/;
const LOOKS_LIKE_EXPRESSION = new RegExp(`^\\$(${EXPRESSION_ROOTS.join('|')})\\b`);

/** Two conditions that are each other's negation (`X == v` / `X != v`) cover every response between them. */

type Path = (string | number)[];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const valueAt = (root: unknown, path: Path): unknown =>
  path.reduce<unknown>((v, k) => (Array.isArray(v) || isObj(v) ? (v as Record<string | number, unknown>)[k] : undefined), root);

/** Steps that may run right after each step: the next one, goto targets, and itself for retries. */
function successors(plan: Plan): number[][] {
  const index = new Map(plan.steps.map((s, i) => [s.stepId, i]));
  return plan.steps.map((step, i) => {
    const next = new Set<number>();
    if (i + 1 < plan.steps.length) next.add(i + 1);
    for (const a of [...step.onSuccess, ...step.onFailure]) {
      if (a.type === 'goto' && a.stepId !== undefined && index.has(a.stepId)) next.add(index.get(a.stepId)!);
      if (a.type === 'retry') next.add(i);
    }
    return [...next];
  });
}

/** Whether step `to` can run after step `from` (a path of one or more transitions). */
function reaches(graph: number[][], from: number, to: number): boolean {
  const seen = new Set<number>();
  const queue = [...graph[from]];
  while (queue.length) {
    const n = queue.shift()!;
    if (n === to) return true;
    if (seen.has(n)) continue;
    seen.add(n);
    queue.push(...graph[n]);
  }
  return false;
}

/**
 * Check a compiled plan. With `locate` (and the parsed document), findings point at the exact node: the
 * `condition:` of a criterion, the value of a parameter, an output; without, at the step.
 */
/** The checks of one compiled workflow against its document, each finding at its document path. */
class PlanLinter {
  readonly out: Diagnostic[] = [];
  private readonly stepIds: Set<string>;
  private readonly outputsOf: Map<string, Set<string>>;
  private readonly stepIndex: Map<string, number>;
  private readonly graph: number[][];
  private readonly workflowPath: Path | undefined;

  constructor(
    private readonly plan: Plan,
    private readonly sites: PlanSites | undefined,
    private readonly locate: Locate | undefined,
    private readonly doc: unknown,
  ) {
    this.stepIds = new Set(plan.steps.map((s) => s.stepId));
    this.outputsOf = new Map(plan.steps.map((s) => [s.stepId, new Set(Object.keys(s.outputs))]));
    this.stepIndex = new Map(plan.steps.map((s, i) => [s.stepId, i]));
    this.graph = successors(plan);
    this.workflowPath = sites?.workflowPath;
  }

  private docPathOf(step: PlanStep): Path | undefined {
    return this.sites?.steps[step.stepId]?.docPath;
  }

  report(severity: Diagnostic['severity'], code: string, message: string, step?: PlanStep, at?: Path) {
    this.out.push({
      severity,
      code,
      message,
      workflowId: this.plan.workflowId,
      stepId: step?.stepId,
      pos: (at && this.locate ? this.locate(at) : undefined) ??
        (step && this.sites?.steps[step.stepId]?.pos) ?? { file: this.plan.document.file },
    });
  }

  /** `$components.<kind>.<name>` of a reusable object, as a document path, when it names an entry. */
  componentPath(item: unknown, kind: string): Path | undefined {
    if (!isObj(item) || typeof item.reference !== 'string') return undefined;
    const m = new RegExp(`^\\$components\\.${kind}\\.(.+)$`).exec(item.reference);
    return m && valueAt(this.doc, ['components', kind, m[1]]) !== undefined ? ['components', kind, m[1]] : undefined;
  }

  /** The document path of action `i` of a step's chosen list (its own, or the workflow's), through references. */
  actionPath(step: PlanStep, list: 'onSuccess' | 'onFailure', i: number): Path | undefined {
    const stepPath = this.docPathOf(step);
    if (!stepPath) return undefined;
    let listPath: Path = [...stepPath, list];
    if (this.doc !== undefined && !Array.isArray(valueAt(this.doc, listPath))) {
      const workflowList = [...stepPath.slice(0, 2), list === 'onSuccess' ? 'successActions' : 'failureActions'];
      if (Array.isArray(valueAt(this.doc, workflowList))) listPath = workflowList;
    }
    return (
      this.componentPath(valueAt(this.doc, [...listPath, i]), list === 'onSuccess' ? 'successActions' : 'failureActions') ?? [
        ...listPath,
        i,
      ]
    );
  }

  /** The document path of a parameter's value: the step's entry, else the workflow's, through references. */
  parameterPath(step: PlanStep, param: PlanParameter): Path | undefined {
    const stepPath = this.docPathOf(step);
    if (!stepPath) return undefined;
    for (const listPath of [
      [...stepPath, 'parameters'],
      [...stepPath.slice(0, 2), 'parameters'],
    ]) {
      const list = valueAt(this.doc, listPath);
      if (!Array.isArray(list)) continue;
      for (const [k, raw] of list.entries()) {
        let item: unknown = raw;
        let valuePath: Path = [...listPath, k, 'value'];
        const component = this.componentPath(raw, 'parameters');
        if (component) {
          item = valueAt(this.doc, component);
          if ((raw as Obj).value === undefined) valuePath = [...component, 'value'];
        }
        if (!isObj(item) || typeof item.name !== 'string') continue;
        const sameName = param.in === 'header' ? item.name.toLowerCase() === param.name.toLowerCase() : item.name === param.name;
        if (sameName && (item.in === undefined || item.in === param.in)) return valuePath;
      }
    }
    return [...stepPath, 'parameters'];
  }

  /** `$steps.x.outputs.y` must name a step of this workflow that can run before, and an output it declares. */
  checkStepRefs(text: string, where: string, step: PlanStep | undefined, at: Path | undefined) {
    for (const { expr } of scanExpressions(text).found) {
      if (expr.root !== 'steps') continue;
      if (!this.stepIds.has(expr.stepId)) {
        this.report(
          'error',
          'unknown-step-reference',
          `${where} refers to $steps.${expr.stepId}, but workflow ${this.plan.workflowId} has no step "${expr.stepId}"${didYouMean(expr.stepId, this.stepIds)}`,
          step,
          at,
        );
        continue;
      }
      if (
        !this.outputsOf.get(expr.stepId)?.has(expr.name) &&
        ![...(this.outputsOf.get(expr.stepId) ?? [])].some((o) => expr.name.startsWith(`${o}.`))
      ) {
        this.report(
          'error',
          'unknown-output-reference',
          `${where} refers to $steps.${expr.stepId}.outputs.${expr.name}, but step ${expr.stepId} declares no output "${expr.name}"${didYouMean(expr.name, this.outputsOf.get(expr.stepId) ?? [])}`,
          step,
          at,
        );
        continue;
      }
      if (!step) continue;
      const from = this.stepIndex.get(expr.stepId)!;
      const current = this.stepIndex.get(step.stepId)!;
      if (from >= current && !reaches(this.graph, from, current)) {
        const which =
          from === current
            ? 'itself, and no retry or goto leads back to it'
            : `step ${expr.stepId}, which runs after step ${step.stepId} and no goto leads from it back to step ${step.stepId}`;
        this.report(
          'error',
          'forward-step-reference',
          `${where} refers to $steps.${expr.stepId}.outputs.${expr.name}: that is ${which}, so the value is never set when it is read`,
          step,
          at,
        );
      }
    }
  }

  checkCriteria(criteria: Criterion[] | undefined, where: string, step: PlanStep, at: Path | undefined) {
    for (const [j, c] of (criteria ?? []).entries()) {
      const field = (text: string) => (at ? [...at, j, /^context\b/.test(text) ? 'context' : 'condition'] : undefined);
      const check = checkCriterion(c);
      for (const e of check.errors) this.report('error', 'bad-criterion', `${where}: ${e}`, step, field(e));
      for (const w of check.warnings) this.report('warning', w.code, `${where}: ${w.message}`, step, field(''));
      for (const key of ['condition', 'context'] as const)
        if (typeof c[key] === 'string') this.checkStepRefs(c[key] as string, where, step, at && [...at, j, key]);
    }
  }

  /** Every string of a value (parameter value, payload, replacement): embedded forms, expressions, step references. */
  checkValues(value: unknown, where: string, step: PlanStep, at: Path | undefined): void {
    if (isSelectorValue(value)) this.checkStepRefs(value.$selector.context, where, step, at);
    else if (typeof value === 'string') {
      const forms = findEmbeddedForms(value);
      for (const u of forms.unbraced)
        this.report(
          'warning',
          'unbraced-expression',
          `${where}: "${u}" is written without braces inside a string; it is interpolated (the spec's form is {${u}})`,
          step,
          at,
        );
      for (const bad of forms.invalidBraced)
        this.report('error', 'bad-expression', `${where}: "${bad}" is not a valid runtime expression`, step, at);
      if (LOOKS_LIKE_EXPRESSION.test(value) && !/\s/.test(value) && !isExpression(value)) {
        try {
          parseExpression(value);
        } catch (err) {
          this.report('error', 'bad-expression', `${where}: ${(err as Error).message}`, step, at);
        }
      }
      this.checkStepRefs(value, where, step, at);
    } else if (Array.isArray(value)) value.forEach((v, i) => this.checkValues(v, where, step, at && [...at, i]));
    else if (value && typeof value === 'object')
      for (const [k, v] of Object.entries(value)) this.checkValues(v, where, step, at && [...at, k]);
  }

  checkOutputs(outputs: Record<string, PlanOutput>, where: string, step: PlanStep | undefined, at: Path | undefined) {
    for (const [name, output] of Object.entries(outputs)) {
      const here = at && [...at, name];
      if (!OUTPUT_NAME.test(name))
        this.report('error', 'bad-output-name', `${where}: output name "${name}" must match ${OUTPUT_NAME}`, step, here);
      // a selector's context was parsed by the compiler (src/core/compile/selectors.ts)
      const expr = typeof output === 'string' ? output : output.$selector.context;
      try {
        parseExpression(String(expr));
      } catch (err) {
        this.report('error', 'bad-expression', `${where} output "${name}": ${(err as Error).message}`, step, here);
      }
      this.checkStepRefs(String(expr), `${where} outputs`, step, here);
    }
  }

  /** A step's criteria, parameter values, body and outputs. */
  lintStep(step: PlanStep): void {
    const sp = this.docPathOf(step);
    this.checkCriteria(step.successCriteria, 'successCriteria', step, sp && [...sp, 'successCriteria']);
    for (const list of ['onSuccess', 'onFailure'] as const) {
      step[list].forEach((a, k) => {
        const ap = this.actionPath(step, list, k);
        this.checkCriteria(a.criteria, `${list} action "${a.name}"`, step, ap && [...ap, 'criteria']);
      });
    }
    if (step.kind === 'operation')
      for (const p of step.parameters) this.checkValues(p.value, `parameter "${p.name}"`, step, this.parameterPath(step, p));
    if (step.kind === 'operation' && step.requestBody) {
      this.checkValues(step.requestBody.payload, 'requestBody', step, sp && [...sp, 'requestBody', 'payload']);
      this.checkValues(step.requestBody.replacements, 'requestBody', step, sp && [...sp, 'requestBody', 'replacements']);
    }
    this.checkOutputs(step.outputs, `step ${step.stepId}`, step, sp && [...sp, 'outputs']);
  }

  /** A loop whose actions may leave a response unanswered (see poll-coverage.ts). */
  pollWarning(i: number, step: PlanStep): void {
    const loops = step.onSuccess.some((a) => loopsBack(this.plan.steps, i, a));
    const guarded = step.onSuccess.length > 0 && step.onSuccess.every((a) => a.criteria?.length);
    const conditions = step.onSuccess.flatMap((a) => (a.criteria?.length === 1 ? [a.criteria[0].condition] : []));
    if (loops && guarded && !pollCovered(conditions, this.sites?.steps[step.stepId]?.responseEnums)) {
      const loopIndex = step.onSuccess.findIndex((a) => loopsBack(this.plan.steps, i, a));
      this.report(
        'warning',
        'poll-without-failure-branch',
        `step ${step.stepId} loops while its criteria say the job is unfinished, but no action covers the other outcomes (e.g. failed, expired, cancelled): such a response stops the run with an error naming the step and status (--on-unmatched continue goes on to the next step, as the spec reads)`,
        step,
        this.actionPath(step, 'onSuccess', loopIndex),
      );
    }
  }

  run(): Diagnostic[] {
    for (const [i, step] of this.plan.steps.entries()) {
      this.lintStep(step);
      this.pollWarning(i, step);
    }
    this.checkOutputs(
      this.plan.outputs,
      `workflow ${this.plan.workflowId}`,
      undefined,
      this.workflowPath && [...this.workflowPath, 'outputs'],
    );
    return this.out;
  }
}

export function lintPlan(plan: Plan, sites?: PlanSites, locate?: Locate, doc?: unknown): Diagnostic[] {
  return new PlanLinter(plan, sites, locate, doc).run();
}
