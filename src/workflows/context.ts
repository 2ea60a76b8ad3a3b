// The part of the run's state a step's expressions refer to: keeps activity inputs (and history) small.
import type { RunStepInput } from '../core/contract';
import type { Run } from './run';

export function contextFor(value: unknown, run: Run): RunStepInput['context'] {
  const { plan, inputs, state } = run;
  const text = JSON.stringify(value);
  const ctx: RunStepInput['context'] = { inputs: {}, steps: {}, sourceDescriptions: plan.sources };
  for (const m of text.matchAll(/\$inputs\.([A-Za-z0-9_-]+)/g)) if (m[1] in inputs) ctx.inputs[m[1]] = inputs[m[1]];
  for (const m of text.matchAll(/\$steps\.([A-Za-z0-9_-]+)/g)) if (state.steps[m[1]]) ctx.steps[m[1]] = state.steps[m[1]];
  for (const m of text.matchAll(/\$workflows\.([A-Za-z0-9_-]+)/g))
    if (state.workflows?.[m[1]]) (ctx.workflows ??= {})[m[1]] = state.workflows[m[1]];
  return ctx;
}
