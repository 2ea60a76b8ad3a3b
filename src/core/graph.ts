// A picture of a compiled workflow: plan → Mermaid `flowchart TD` text. Steps in order with their
// operation, the default "next" edges, goto edges labelled with their criteria, retry loops with
// retryAfter/retryLimit, end actions to an End node; edges taken on failure are dashed and a failure no
// action handles goes to a "run fails" node. Pure: `validate --graph` and `graph` print it.
import type { PlanSites } from './compile/types';
import { pollCovered } from './poll-coverage';
import type { Criterion, Plan, PlanAction } from './types';
import { stepTarget, type PlanStep } from './plan';

const MAX_LABEL = 90;

/**
 * Text safe inside a quoted Mermaid label: quotes, angle brackets, pipes, brackets and the characters Markdown
 * labels would interpret (* _ `) written as Mermaid entity codes (#quot;, #35; …).
 */
export function mermaidText(text: string, max = MAX_LABEL): string {
  const short = text.length > max ? `${text.slice(0, max - 1)}…` : text;
  return short
    .replace(/#/g, '#35;')
    .replace(/&/g, '#38;')
    .replace(/"/g, '#quot;')
    .replace(/</g, '#lt;')
    .replace(/>/g, '#gt;')
    .replace(/\|/g, '#124;')
    .replace(/[[\]{}*_`]/g, (c) => `#${c.charCodeAt(0)};`)
    .replace(/\r?\n/g, ' ');
}

function criteriaText(criteria: Criterion[] | undefined): string {
  return (criteria ?? [])
    .map((c) => (c.type && c.type !== 'simple' ? `${typeof c.type === 'string' ? c.type : c.type.type}: ${c.condition}` : c.condition))
    .join(' && ');
}

function seconds(n: number | undefined): string {
  return n === undefined ? '0s' : `${n}s`;
}

function actionLabel(a: PlanAction): string {
  const when = criteriaText(a.criteria);
  let what: string;
  if (a.type === 'retry') what = `retry ${a.name} (after ${seconds(a.retryAfter)}, at most ${a.retryLimit ?? 1}×)`;
  else if (a.type === 'end') what = `end: ${a.name}`;
  else what = a.name;
  return when ? `${what} when ${when}` : what;
}

export interface GraphOptions {
  /** show each step's method and path (default true) */
  operations?: boolean;
  /** the compile's sites of this workflow: a poll whose actions name every value of the polled enum has no "no action matched" edge */
  sites?: PlanSites;
}

/** Nodes and edges of one plan's flowchart as they are found; rendered once at the end. */
class Flowchart {
  readonly edges: string[] = [];
  readonly externals = new Map<string, string>();
  usesEnd = false;
  usesFail = false;
  private readonly id: Map<string, string>;

  constructor(
    readonly plan: Plan,
    private readonly sites?: PlanSites,
  ) {
    this.id = new Map(plan.steps.map((s, i) => [s.stepId, `s${i}`]));
  }

  edge(from: string, to: string, label: string | undefined, failure: boolean): void {
    const arrow = failure ? '-.->' : '-->';
    this.edges.push(`  ${from} ${arrow}${label ? `|"${mermaidText(label)}"|` : ''} ${to}`);
  }

  target(a: PlanAction, from: string): string {
    if (a.type === 'retry') return a.stepId !== undefined ? (this.id.get(a.stepId) ?? from) : from;
    if (a.type === 'end') return from;
    if (a.stepId !== undefined) return this.id.get(a.stepId) ?? from;
    const key = a.workflowKey ?? a.workflowId ?? '?';
    if (!this.externals.has(key)) this.externals.set(key, `w${this.externals.size}`);
    return this.externals.get(key)!;
  }

  successEdges(step: PlanStep, i: number): void {
    const from = `s${i}`;
    const next = i + 1 < this.plan.steps.length ? `s${i + 1}` : 'done';
    for (const a of step.onSuccess) {
      if (a.type === 'end') this.usesEnd = true;
      this.edge(from, a.type === 'end' ? 'done' : this.target(a, from), actionLabel(a), false);
    }
    // the default on success: the next step, unless an action without criteria always takes over
    if (step.onSuccess.some((a) => !a.criteria?.length)) return;
    const loopsBack = step.onSuccess.some(
      (a) => a.type === 'goto' && a.stepId !== undefined && this.plan.steps.findIndex((s) => s.stepId === a.stepId) <= i,
    );
    const guarded = step.onSuccess.length > 0 && step.onSuccess.every((a) => a.criteria?.length);
    const conditions = step.onSuccess.flatMap((a) => (a.criteria?.length === 1 ? [a.criteria[0].condition] : []));
    // `X == v` and `X != v`, or every value of the response's enum: one of the actions always matches (poll-coverage.ts)
    if (loopsBack && guarded && pollCovered(conditions, this.sites?.steps[step.stepId]?.responseEnums)) return;
    if (loopsBack && guarded) {
      // the engine stops such a poll when no branch matches (see --on-unmatched)
      this.usesFail = true;
      this.edge(from, 'fail', 'no action matched', true);
      return;
    }
    if (next === 'done') this.usesEnd = true;
    this.edge(from, next, step.onSuccess.length ? 'otherwise' : undefined, false);
  }

  failureEdges(step: PlanStep, i: number): void {
    const from = `s${i}`;
    for (const a of step.onFailure) {
      if (a.type === 'end') this.usesFail = true;
      this.edge(from, a.type === 'end' ? 'fail' : this.target(a, from), actionLabel(a), true);
    }
    const alwaysOnFailure = step.onFailure.some((a) => !a.criteria?.length && a.type !== 'retry');
    if (step.successCriteria.length && !alwaysOnFailure) {
      this.usesFail = true;
      this.edge(from, 'fail', step.onFailure.length ? 'failed, no action matched' : 'failed', true);
    }
  }
}

export function planToMermaid(plan: Plan, opts: GraphOptions = {}): string {
  const lines: string[] = ['flowchart TD'];
  const chart = new Flowchart(plan, opts.sites);
  lines.push(`  start(["${mermaidText(`${plan.workflowId}${plan.summary ? `: ${plan.summary}` : ''}`)}"])`);
  for (const [i, step] of plan.steps.entries()) {
    const title = mermaidText(`${i + 1}. ${step.stepId}`);
    lines.push(opts.operations === false ? `  s${i}["${title}"]` : `  s${i}["${title}<br/>${mermaidText(stepTarget(step), 60)}"]`);
  }
  if (plan.steps.length) chart.edge('start', 's0', undefined, false);
  for (const [i, step] of plan.steps.entries()) {
    chart.successEdges(step, i);
    chart.failureEdges(step, i);
  }
  for (const [key, node] of chart.externals) lines.push(`  ${node}[["workflow ${mermaidText(key)}"]]`);
  if (chart.usesEnd) lines.push('  done(["end: outputs"])');
  if (chart.usesFail) lines.push('  fail(["run fails"])');
  lines.push(...chart.edges);
  if (chart.usesFail) lines.push('  classDef failure stroke:#c00,color:#c00', '  class fail failure');
  return lines.join('\n') + '\n';
}
