// The contract between the interpreter workflow and the step activities: what crosses the boundary (the
// activities' inputs and outcomes) and the error type names both sides know. The workflow and the activities
// import this module, never each other. Pure: it is bundled into the workflow sandbox.
import type { ChosenAction } from './evaluate-step';
import type { OperationStep, PlanCancel } from './plan';
import type { ExpressionContext } from './types';

export interface RunStepInput {
  /** the step (a version-1 step when an older workflow scheduled the activity: see upgradeStep) */
  step: OperationStep;
  /** inputs and earlier step outputs this step refers to (secrets still as references) */
  context: Pick<ExpressionContext, 'inputs' | 'steps' | 'sourceDescriptions' | 'workflows'>;
  /** sent as Idempotency-Key on requests that are not GET/HEAD; stable across activity retries */
  idempotencyKey: string;
  /** retry actions whose retryLimit is used up */
  exhaustedRetries: string[];
  /** when the chosen action is `goto` this same step, poll inside the activity through its retries */
  pollInActivity: boolean;
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
  step: PlanCancel;
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

/** The activities the workflow calls, as the workflow sees them (src/activities implements them). */
export interface StepActivities {
  runStep(input: RunStepInput): Promise<StepOutcome>;
  cancelCreated(input: CancelInput): Promise<CancelOutcome>;
}
