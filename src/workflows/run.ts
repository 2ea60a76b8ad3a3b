// What every part of the interpreter works on: the run's plan, inputs, options and state, and the
// workflow's input and result types.
import type { RequestCounts } from '../core/batch-status';
import type { RunOptions, StepOutcome } from '../core/contract';
import type { ExpressionContext } from '../core/types';
import type { Plan } from '../core/plan';
import type { CompletedWorkflow, InterpreterState, TraceEntry } from './state';
import type { Resolver } from './resolve';
import type { StatusTracker } from './status';

export type { RunOptions };

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
  /** the steps whose last run succeeded (Arazzo 1.1: another workflow's step may depend on them) */
  completedSteps?: string[];
  /** the job's status in the one vocabulary (BatchStatus), when a step declares x-temporal-status (state.normalizedStatus) */
  batchStatus?: string;
  /** its request counts, when that step declares them */
  requestCounts?: RequestCounts;
  /**
   * Plain statements about outputs that came out null or empty from a step that ran: the step's output
   * expression and what that step's response said (e.g. a status, counts, an error file), so a run whose
   * job ended without the result the document reads never looks like a plain success.
   */
  notes?: string[];
}

/** One run of the interpreter. */
export interface Run {
  plan: Plan;
  inputs: Record<string, unknown>;
  options: RunOptions;
  state: InterpreterState;
  depth: number;
  /** per step, its last response's null outputs and facts since this run (re)started, for the result's notes */
  responded: Record<string, Pick<StepOutcome, 'statusCode' | 'nullOutputs' | 'facts'>>;
  /** the resolve Update: a create whose outcome is unknown waits for an operator here (resolve.ts) */
  resolver: Resolver;
  /** the live status record (status.ts) */
  status?: StatusTracker;
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
    completedSteps: Object.entries(run.state.completedSteps ?? {}).flatMap(([id, ok]) => (ok ? [id] : [])),
    ...normalizedFields(run.state),
  };
}

/** batchStatus and requestCounts of the run's normalized status, as the result and the progress query carry them. */
export function normalizedFields(state: Run['state']): Pick<ArazzoRunResult, 'batchStatus' | 'requestCounts'> {
  const s = state.normalizedStatus;
  if (!s) return {};
  return { batchStatus: s.batchStatus, ...(s.requestCounts && { requestCounts: s.requestCounts }) };
}
