// The contract between the interpreter workflow and the step activities: what crosses the boundary (the
// activities' inputs and outcomes) and the error type names both sides know. The workflow and the activities
// import this module, never each other. Pure: it is bundled into the workflow sandbox.
import type { NormalizedStatus } from './batch-status';
import type { ChosenAction } from './evaluate-step';
import type { OperationStep, Plan, PlanCancel, PlanChannel, SendStep } from './plan';
import type { DocumentRunRequest } from './run-request';
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
  /** an operator resolved an outcome-unknown stop with --resend: send the request even if an earlier attempt may have */
  resend?: boolean;
  /** where the step comes from, for the worker's trace spans (names only: the Arazzo workflowId, the document's location) */
  arazzo?: { workflowId: string; document: string };
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
  /** the run's normalized status as this response gives it (the step's x-temporal-status) */
  normalizedStatus?: NormalizedStatus;
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
/** A create whose outcome is unknown and that cannot be reconciled: the workflow waits for `resolve` (src/workflows/resolve.ts). */
export const OUTCOME_UNKNOWN = 'ArazzoOutcomeUnknown';

/** The activities the workflow calls, as the workflow sees them (src/activities implements them). */
export interface StepActivities {
  runStep(input: RunStepInput): Promise<StepOutcome>;
  cancelCreated(input: CancelInput): Promise<CancelOutcome>;
}

/** The engine's options of one run (durations as 500ms, 5s, 2m, 1h); they travel with the plan into the workflow. */
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

/** What the prepareRun activity makes of a run request (src/core/run-request.ts): recorded in history, never read again. */
export interface PreparedRun {
  plan: Plan;
  /** the inputs with the schema's defaults applied (secrets still references) */
  inputs: Record<string, unknown>;
  options: RunOptions;
  document: { location: string; sha256: string };
}

/** The activity that prepares a run started by reference (src/activities/prepare-run.ts implements it). */
export interface PrepareActivities {
  prepareRun(req: DocumentRunRequest): Promise<PreparedRun>;
}

/** A send step's message, published by the sendMessage activity (src/activities/async-messages.ts). */
export interface SendMessageInput {
  step: SendStep;
  context: RunStepInput['context'];
  /** the message's id (`message-id`): the same on every attempt, so a receiver can drop a repeat */
  messageId: string;
  /** MQTT channels this run's receive steps wait on: the worker listens on them before the message goes out */
  listen: PlanChannel[];
  /** the workflow task queue, where correlation mailboxes run */
  taskQueue: string;
}

/** A receive step starts waiting: its run subscribes to the correlation mailbox (src/workflows/mailbox.ts). */
export interface SubscribeInput {
  mailboxId: string;
  channel: PlanChannel;
  /** the run's workflow id: the mailbox forwards to it (signals reach the current run after a continue-as-new) */
  subscriber: string;
  taskQueue: string;
}

/** One xpath Selector Object the workflow evaluates: its selector and the XML text its context evaluated to. */
export interface XPathSelection {
  selector: string;
  xml: string;
}

/** What an xpath selection selected (string values), or why it could not (the engine's reason). */
export type XPathSelected = { values: string[] } | { error: string };

/**
 * The local activity that makes the xpath selections the workflow needs (src/activities/select-xpath.ts): XPath
 * needs an XML parser and engine that stay out of the workflow sandbox; the answers are recorded in history.
 */
export interface XPathActivities {
  selectXPath(selections: XPathSelection[]): Promise<XPathSelected[]>;
}

export interface MessageActivities {
  sendMessage(input: SendMessageInput): Promise<{ messageId: string }>;
  subscribeMailbox(input: SubscribeInput): Promise<void>;
}
