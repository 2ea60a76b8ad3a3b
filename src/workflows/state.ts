// The interpreter's state: where the run is, what each step returned, the counters that make requests
// unique (visits) and bound loops (retries, loops), and what a cancel must undo. All of it is plain JSON:
// it is carried over to the next run when the workflow continues as new.
import type { NormalizedStatus } from '../core/batch-status';
import type { ReceivedMessage } from '../core/asyncapi';
import type { StepOutcome } from '../core/contract';
import type { PlanStep } from '../core/plan';

export interface TraceEntry {
  stepId: string;
  statusCode: number;
  success: boolean;
  action?: string;
  polls: number;
}

export interface CompletedWorkflow {
  workflowId: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
  completedSteps?: string[];
}

export interface InterpreterState {
  cursor: number;
  steps: Record<string, { outputs: Record<string, unknown> }>;
  /** executions per step: part of the idempotency key of each request */
  visits: Record<string, number>;
  /** retries used, per `stepId:actionName` */
  retries: Record<string, number>;
  /** backward gotos taken, per target step: drives the loop backoff */
  loops: Record<string, number>;
  /** steps that created something a cancel operation can stop */
  cancelable: string[];
  stepRuns: number;
  polls: number;
  trace: TraceEntry[];
  /**
   * what `$workflows.<workflowId>` reads: this run's inputs, finished dependencies and child workflows; completedSteps:
   * the steps that completed in that workflow's run (a step's dependsOn may name them)
   */
  workflows?: Record<string, { inputs?: Record<string, unknown>; outputs?: Record<string, unknown>; completedSteps?: string[] }>;
  /** whether each step's last run succeeded: what a step's dependsOn (Arazzo 1.1) checks */
  completedSteps?: Record<string, boolean>;
  /** workflows of this run's tree that completed (dependsOn), by key in Plan.workflows: each runs once per run */
  completed?: Record<string, CompletedWorkflow>;
  /** the dependsOn workflows have run */
  dependenciesDone?: boolean;
  /**
   * The run's status in the one vocabulary (src/core/batch-status.ts): what the last step declaring x-temporal-status
   * read. The result and the progress query carry it as batchStatus and requestCounts.
   */
  normalizedStatus?: NormalizedStatus;
  /** messages correlation mailboxes forwarded that no receive step took yet, by mailbox id (src/workflows/async-steps.ts) */
  inbox?: Record<string, ReceivedMessage[]>;
  /** ids of the messages this run took in, newest last (at most 200): a redelivery is ignored */
  seenMessages?: string[];
}

const TRACE_LIMIT = 25;

export function newState(): InterpreterState {
  return { cursor: 0, steps: {}, visits: {}, retries: {}, loops: {}, cancelable: [], stepRuns: 0, polls: 0, trace: [] };
}

/** Count one more execution of a step; returns its number (1 for the first). */
export function nextVisit(state: InterpreterState, stepId: string): number {
  return (state.visits[stepId] = (state.visits[stepId] ?? 0) + 1);
}

/** Names of the step's retry actions whose retryLimit is used up. */
export function exhaustedRetries(state: InterpreterState, step: PlanStep): string[] {
  return step.onFailure
    .concat(step.onSuccess)
    .filter((a) => a.type === 'retry' && (state.retries[`${step.stepId}:${a.name}`] ?? 0) >= (a.retryLimit ?? 1))
    .map((a) => a.name);
}

/** Count one more use of a retry action; returns how many it has used. */
export function useRetry(state: InterpreterState, stepId: string, action: string): number {
  const key = `${stepId}:${action}`;
  return (state.retries[key] = (state.retries[key] ?? 0) + 1);
}

/** The step moves on: its retry counters start again. */
export function clearRetries(state: InterpreterState, stepId: string): void {
  for (const key of Object.keys(state.retries)) if (key.startsWith(`${stepId}:`)) delete state.retries[key];
}

/** Count one more backward goto to `stepId`; returns the loop's iteration. */
export function countLoop(state: InterpreterState, stepId: string): number {
  return (state.loops[stepId] = (state.loops[stepId] ?? 0) + 1);
}

/** What a step's execution leaves behind: its outputs, the counters, the trace, whether a cancel must undo it. */
export function recordOutcome(state: InterpreterState, step: PlanStep, outcome: StepOutcome): void {
  state.stepRuns++;
  state.polls += outcome.polls;
  state.trace = [
    ...state.trace,
    { stepId: step.stepId, statusCode: outcome.statusCode, success: outcome.success, action: outcome.action?.name, polls: outcome.polls },
  ].slice(-TRACE_LIMIT);
  state.steps[step.stepId] = { outputs: outcome.outputs };
  (state.completedSteps ??= {})[step.stepId] = outcome.success;
  if (outcome.normalizedStatus) state.normalizedStatus = outcome.normalizedStatus;
  if (outcome.success && step.kind === 'operation' && step.cancel && !state.cancelable.includes(step.stepId))
    state.cancelable.push(step.stepId);
}
