// Compile one workflow of an Arazzo document into a Plan: operations resolved to method, path and
// server, reusable objects inlined, action lists chosen, poll policies fixed. Pure: the caller hands in
// the already-loaded source descriptions. Every problem becomes a Diagnostic naming file:line, workflow
// and step; a Plan is only returned when there is no error.
import { parsePlanExpressions } from '../expr/plan-expressions';
import type { ArazzoDocument } from '../types';
import type { CompileOptions, CompileResult } from './types';
import { WorkflowSet } from './workflow-set';

export * from './types';
export { DEFAULT_POLL } from '../poll-policy';
export type { Criterion } from '../types';

export function compileWorkflow(doc: ArazzoDocument, opts: CompileOptions): CompileResult {
  const set = new WorkflowSet(opts.serverOverrides);
  const main = set.compiler(doc, opts, '');
  let plan = main.compile();
  if (plan) {
    set.plans.set(plan.workflowId, plan);
    set.drain();
    set.checkCycles();
  }
  const diagnostics = set.compilers.flatMap((c) => c.diagnostics);
  if (diagnostics.some((d) => d.severity === 'error')) plan = undefined;
  if (plan) {
    const others = [...set.plans].filter(([key]) => key !== plan!.workflowId || set.referenced.has(key));
    // copies: the target itself may be among them (a workflow that runs itself), without its own `workflows`
    if (others.length) plan.workflows = Object.fromEntries(others.map(([key, p]) => [key, { ...p }]));
  }
  // parse once: the plan carries every expression, condition and criterion parsed (src/core/expr/plan-expressions.ts)
  return { plan: plan && parsePlanExpressions(plan), diagnostics, sites: set.sites };
}
