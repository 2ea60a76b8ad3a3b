// Notes on a run's result: a workflow output that came out null or empty from a step that ran says what that
// step's output expression is and what its response said, so a job that ended without the result the document
// reads never looks like a plain success.
import { describeFacts } from '../core/evaluate-step';
import { parsedOutput, selectorText } from '../core/expr';
import type { Run } from './run';

/** For each null or empty workflow output that reads `$steps.<id>.outputs.<name>` of a step that got null there. */
export function nullOutputNotes(run: Run, outputs: Record<string, unknown>): string[] {
  const notes: string[] = [];
  for (const [name, expr] of Object.entries(run.plan.outputs)) {
    if (outputs[name] !== null && outputs[name] !== undefined) continue;
    const e = typeof expr === 'string' ? parsedOutput(expr, run.plan.expressions) : undefined;
    const m = e?.root === 'steps' && e.pointer === undefined ? [e.text, e.stepId, e.name] : undefined;
    const last = m ? run.responded[m[1]] : undefined;
    if (!m || !last?.nullOutputs?.includes(m[2])) continue;
    const stepOutput = run.plan.steps.find((s) => s.stepId === m[1])?.outputs[m[2]];
    const stepExpr = stepOutput === undefined ? undefined : selectorText(stepOutput);
    const said = last.facts ? `; the response (HTTP ${last.statusCode}) said: ${describeFacts(last.facts)}` : ` (HTTP ${last.statusCode})`;
    notes.push(`output ${name} is ${outputs[name] === null ? 'null' : 'empty'}: step ${m[1]} found nothing at ${stepExpr ?? m[2]}${said}`);
  }
  return notes;
}
