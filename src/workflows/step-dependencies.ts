// Step-level dependsOn at run time (Arazzo 1.1): "A list of steps that MUST be completed before this step can be
// executed", without triggering them. The plan's order already puts a step after the local steps it depends on;
// here, when the run reaches the step, each of them must have completed: run, and its last run succeeded. A step
// of another workflow must have completed in a run of that workflow this run has had (a dependsOn workflow, a
// workflow step, a retry's workflow). A prerequisite not met fails the step before anything is sent: its
// onFailure actions apply, evaluated without a response, as for a step that timed out.
import { changed } from './revision';
import type { StepOutcome } from '../core/contract';
import type { PlanStep } from '../core/plan';
import { fullContext, type Run } from './run';
import { judge, judgedOutcome } from './steps';

/** Why the step's dependsOn is not satisfied, or undefined when it is. */
export function unmetDependency(run: Run, step: PlanStep): string | undefined {
  for (const dep of step.dependsOn ?? []) {
    if (dep.workflowId === undefined) {
      const done = run.state.completedSteps?.[dep.stepId];
      if (done === true) continue;
      return `step ${step.stepId} depends on step ${dep.stepId}, which has not completed: ${done === false ? 'its last run failed' : 'it has not run'}`;
    }
    const ran = run.state.workflows?.[dep.workflowId];
    if (!ran?.outputs || dep.workflowId === run.plan.workflowId)
      return `step ${step.stepId} depends on ${dep.ref}, which has not completed: workflow ${dep.workflowId} has not run in this run`;
    if (!(ran.completedSteps ?? []).includes(dep.stepId))
      return `step ${step.stepId} depends on ${dep.ref}, which has not completed: workflow ${dep.workflowId} ran, but its step ${dep.stepId} did not complete`;
  }
  return undefined;
}

/** The step's outcome when a prerequisite is not met, or undefined when the step may run. */
export function dependencyOutcome(run: Run, step: PlanStep, exhausted: string[]): StepOutcome | undefined {
  if (!step.dependsOn?.length) return undefined;
  const why = unmetDependency(run, step);
  if (why === undefined || !changed('step-depends-on')) return undefined;
  return { ...judgedOutcome(step, judge(step, fullContext(run), exhausted, true), 0, why), success: false, failedCriteria: [] };
}
