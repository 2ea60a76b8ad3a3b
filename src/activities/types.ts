// The contract between the interpreter workflow and the step activity. Types only: the workflow
// imports this file, so it must not pull in anything that is not allowed in the sandbox.
import type { ChosenAction } from '../core/evaluate-step';
import type { ExpressionContext, PlanParameter, PlanStep } from '../core/types';

export interface RunStepInput {
  step: PlanStep;
  /** inputs and earlier step outputs this step refers to (secrets still as references) */
  context: Pick<ExpressionContext, 'inputs' | 'steps' | 'sourceDescriptions' | 'workflows'>;
  /** sent as Idempotency-Key on requests that are not GET/HEAD; stable across activity retries */
  idempotencyKey: string;
  /** retry actions whose retryLimit is used up */
  exhaustedRetries: string[];
  /** when the chosen action is `goto` this same step, poll inside the activity through its retries */
  pollInActivity: boolean;
  /** an operator resolved an outcome-unknown stop with --resend: send the request even if an earlier attempt may have */
  resend?: boolean;
}

export interface StepOutcome {
  stepId: string;
  statusCode: number;
  success: boolean;
  outputs: Record<string, unknown>;
  action?: ChosenAction;
  failedCriteria: string[];
  /** response values the action criteria tested, when no action matched */
  observed?: Record<string, unknown>;
  /** outputs that evaluated to null or to nothing */
  nullOutputs?: string[];
  /** what the response says, in brief (responseFacts), when no action matched or an output is null */
  facts?: Record<string, string>;
  /** the provider's error message on a non-2xx response (secrets redacted) */
  errorMessage?: string;
  /** Retry-After of the response, in ms, for retry actions */
  retryAfterMs?: number;
  /** how many times the step polled inside this activity (attempts that chose goto-self) */
  polls: number;
  durationMs: number;
}

export interface CancelInput {
  stepId: string;
  step: { stepId: string; operation: PlanStep['operation']; parameters: PlanParameter[] };
  context: RunStepInput['context'];
  idempotencyKey: string;
}

export interface CancelOutcome {
  stepId: string;
  statusCode: number;
  body?: unknown;
}

/** Error types the activity throws; the workflow's retry policy knows which are final. */
export const NON_RETRYABLE_ERRORS = ['ArazzoExpressionError', 'ArazzoCriterionError', 'ArazzoSecretError', 'ArazzoRequestError'];
export const POLL_PENDING = 'ArazzoPollPending';
/** A create whose outcome is unknown and that cannot be reconciled: the workflow waits for `resolve` (src/workflows/resolve.ts). */
export const OUTCOME_UNKNOWN = 'ArazzoOutcomeUnknown';
