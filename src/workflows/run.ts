// What every part of the interpreter works on: the run's plan, inputs, options and state, and the
// workflow's input and result types.
import type { ExpressionContext } from '../core/types';
import type { Plan } from '../core/plan';
import type { CompletedWorkflow, InterpreterState, TraceEntry } from './state';

export interface RunOptions {
  /** a poll loop whose response matches none of its actions: fail the run (default) or go on to the next step as the spec says */
  onUnmatched?: 'fail' | 'continue';
  /** upper bound of step executions in the whole run (default: none) */
  maxStepRuns?: number;
  /** continue as new after this many step executions in one run, even if the server does not suggest it (default 500) */
  continueAsNewAfter?: number;
  /** per-HTTP-attempt timeout (default 10m) */
  attemptTimeout?: string;
  /** how long a step that does not poll may keep retrying transient failures (default 1h) */
  stepTimeout?: string;
  /** a worker that dies mid-request is noticed after this long (default 30s) */
  heartbeatTimeout?: string;
  /** task queue of the HTTP step activities (default: the workflow's own) */
  activityTaskQueue?: string;
}

export interface ArazzoRunInput {
  plan: Plan;
  inputs: Record<string, unknown>;
  options?: RunOptions;
  /** set when the run continues as new */
  state?: InterpreterState;
  /** set on a child run: dependencies that already ran in the parent's tree, by key */
  completed?: Record<string, CompletedWorkflow>;
  /** how deep this run is nested as a child workflow (0: started by a client) */
  depth?: number;
}

export interface ArazzoRunResult {
  workflowId: string;
  outputs: Record<string, unknown>;
  /**
   * how the run ended: after the last step, or by an `end` action of a step; a `goto` workflowId action
   * transfers the run (transferredTo): its outputs are then that workflow's
   */
  endedBy: { stepId: string; action?: string; transferredTo?: { workflowId: string; childWorkflowId: string } };
  stepRuns: number;
  polls: number;
  /** the last steps executed, newest last */
  trace: TraceEntry[];
}

/** One run of the interpreter. */
export interface Run {
  plan: Plan;
  inputs: Record<string, unknown>;
  options: RunOptions;
  state: InterpreterState;
  depth: number;
}

/** Everything a step evaluated in the workflow can refer to. */
export function fullContext(run: Run): ExpressionContext {
  return { inputs: run.inputs, steps: run.state.steps, workflows: run.state.workflows, sourceDescriptions: run.plan.sources };
}

/** The result of a run that ended at `endedBy`, with `outputs`. */
export function runResult(run: Run, outputs: Record<string, unknown>, endedBy: ArazzoRunResult['endedBy']): ArazzoRunResult {
  return {
    workflowId: run.plan.workflowId,
    outputs,
    endedBy,
    stepRuns: run.state.stepRuns,
    polls: run.state.polls,
    trace: run.state.trace,
  };
}
