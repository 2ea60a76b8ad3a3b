// The part of the run's state a step's expressions refer to: keeps activity inputs (and history) small. What they
// refer to is read from their parsed forms (src/core/expr/references.ts), not from their text.
import type { RunStepInput } from '../core/contract';
import { expressionsIn, namePrefixes } from '../core/expr';
import type { Run } from './run';

export function contextFor(value: unknown, run: Run): RunStepInput['context'] {
  const { plan, inputs, state } = run;
  const ctx: RunStepInput['context'] = { inputs: {}, steps: {}, sourceDescriptions: plan.sources };
  for (const e of expressionsIn(value)) {
    if (e.root === 'inputs') for (const key of namePrefixes(e.name)) if (Object.hasOwn(inputs, key)) ctx.inputs[key] = inputs[key];
    if (e.root === 'steps' && state.steps[e.stepId]) ctx.steps[e.stepId] = state.steps[e.stepId];
    if (e.root === 'workflows' && state.workflows?.[e.workflowId]) (ctx.workflows ??= {})[e.workflowId] = state.workflows[e.workflowId];
  }
  return ctx;
}
