// The plan: what the workflow executes, as JSON (it travels as workflow input). A step runs an operation
// or a workflow; an action ends the run, goes somewhere, or retries. Only what the workflow and the step
// activity read is here: where things sit in the document (positions, warnings) stays in the compile report.
import type { PlanStatus } from './batch-status';
import type { ExpressionTable } from './expr/plan-expressions';
import type { SelectorValue } from './expr/selector';

/** An output: a runtime expression, or an Arazzo 1.1 Selector Object as the compiler normalized it. */
export type PlanOutput = string | SelectorValue;
import type { Criterion, JsonSchema, PlanOperation, PlanParameter, PlanReconcile, PlanRequestBody, PollPolicy } from './types';

/** The version of the plan format this code writes and runs. */
export const PLAN_VERSION = 3;

interface ActionBase {
  name: string;
  /** all must pass for the action to be chosen */
  criteria?: Criterion[];
}

/** A goto or retry that runs a workflow: `workflowKey` names it in Plan.workflows. */
interface WorkflowTargetFields {
  /** the target's key in Plan.workflows */
  workflowKey?: string;
  /** the target's workflowId as written */
  workflowId?: string;
  /** the target's inputs, name → value or expression (Arazzo 1.1 action parameters) */
  inputs?: Record<string, unknown>;
}

export interface EndAction extends ActionBase {
  type: 'end';
}

/** goto a step of this workflow (`stepId`) or transfer the run to a workflow (`workflowKey`). */
export interface GotoAction extends ActionBase, WorkflowTargetFields {
  type: 'goto';
  stepId?: string;
}

/** re-run the step after `retryAfter` seconds, at most `retryLimit` times; first run `stepId` or a workflow if named. */
export interface RetryAction extends ActionBase, WorkflowTargetFields {
  type: 'retry';
  retryAfter?: number;
  retryLimit?: number;
  stepId?: string;
}

export type PlanAction = EndAction | GotoAction | RetryAction;

/** A step that runs another workflow (step `workflowId`) as a Temporal child workflow. */
export interface PlanWorkflowTarget {
  /** key of the target in Plan.workflows */
  key: string;
  /** the target's workflowId, as `$workflows.<workflowId>` names it */
  workflowId: string;
  /** the child's inputs: parameter name → value or expression */
  inputs: Record<string, unknown>;
}

/** The operation that stops what a create step made (x-temporal-cancel), run when the workflow is cancelled. */
export interface PlanCancel {
  stepId: string;
  operation: PlanOperation;
  parameters: PlanParameter[];
  /** its parameters' expressions, parsed */
  expressions?: ExpressionTable;
}

/**
 * A step-level dependsOn entry (Arazzo 1.1): a step that must have completed (its last run succeeded) before this
 * one runs; `workflowId` when it is a step of another workflow ($workflows.<id>.steps.<id>, or of another
 * document's: $sourceDescriptions.<name>.<id>.steps.<id>), which must have run in this run's tree.
 */
export interface StepDependency {
  /** as written in the document */
  ref: string;
  stepId: string;
  workflowId?: string;
}

interface StepBase {
  stepId: string;
  description?: string;
  /** Arazzo 1.1 step dependsOn: checked before the step runs; the plan's step order already satisfies the local ones */
  dependsOn?: StepDependency[];
  /** Arazzo 1.1 step timeout in ms: bounds the activity (schedule-to-close) or the child workflow (execution timeout) */
  timeoutMs?: number;
  successCriteria: Criterion[];
  onSuccess: PlanAction[];
  onFailure: PlanAction[];
  outputs: Record<string, PlanOutput>;
  /** poll policy for loops that return to this step (goto self or earlier) */
  poll: PollPolicy;
  /** its strings that hold expressions, parsed (plan version 3; src/core/expr/plan-expressions.ts) */
  expressions?: ExpressionTable;
}

export interface OperationStep extends StepBase {
  kind: 'operation';
  operation: PlanOperation;
  parameters: PlanParameter[];
  requestBody?: PlanRequestBody;
  /** response headers referenced by criteria or outputs (lower-case) */
  responseHeaders: string[];
  cancel?: PlanCancel;
  /** how to find what a create made when its response was lost (x-temporal-reconcile; src/core/reconcile.ts) */
  reconcile?: PlanReconcile;
  /** how its response maps onto the run's status vocabulary (x-temporal-status; src/core/batch-status.ts) */
  status?: PlanStatus;
}

export interface WorkflowStep extends StepBase {
  kind: 'workflow';
  workflow: PlanWorkflowTarget;
}

/** An AsyncAPI channel a send or receive step uses (src/core/asyncapi.ts). */
export interface PlanChannel {
  /** the source description */
  source: string;
  /** the channel's key in the AsyncAPI description, and its address (the MQTT topic, the webhook path) */
  name: string;
  address: string;
  /** the first server of the channel: its protocol (mqtt, http, https) and URL (after --server overrides) */
  server?: { protocol: string; url: string };
  /** where the channel's messages carry their correlation id, per the AsyncAPI description ($message.payload#/data/id) */
  correlationLocations: string[];
}

/** Arazzo 1.1 `action: send`: publishes a message on an AsyncAPI channel; done once it is sent. */
export interface SendStep extends StepBase {
  kind: 'send';
  operationId?: string;
  channel: PlanChannel;
  /** `in: header` parameters: the message's headers */
  parameters: PlanParameter[];
  payload?: unknown;
  contentType?: string;
}

/** Arazzo 1.1 `action: receive`: waits durably (up to timeoutMs) for a message matching `correlationId`. */
export interface ReceiveStep extends StepBase {
  kind: 'receive';
  operationId?: string;
  channel: PlanChannel;
  /** the step's correlationId: an expression or a value, evaluated when the step starts waiting */
  correlationId?: string;
}

export type PlanStep = OperationStep | WorkflowStep | SendStep | ReceiveStep;

export interface Plan {
  planVersion: typeof PLAN_VERSION;
  document: { file: string; title: string; arazzo: string };
  workflowId: string;
  summary?: string;
  inputsSchema?: JsonSchema;
  steps: PlanStep[];
  outputs: Record<string, PlanOutput>;
  /** the outputs' expressions, parsed (plan version 3) */
  expressions?: ExpressionTable;
  /**
   * sourceDescriptions by name, for $sourceDescriptions.<name>.url: the url resolved against the document (or the
   * --source override), absolute: an http(s) URL, or a file path
   */
  sources: Record<string, { url: string; type: string }>;
  /** workflows that must complete before this one starts (dependsOn), as keys of `workflows`, in document order */
  dependsOn?: string[];
  /**
   * Every other workflow a run can reach (dependsOn closure, workflowId steps, goto/retry workflowId actions), compiled,
   * by key: the workflowId for a workflow of this document, `<source>.<workflowId>` for one of an Arazzo source
   * description (`<source>.<source2>.<workflowId>` further down). Present on the top-level plan only; a child run gets
   * the part its own workflow can reach.
   */
  workflows?: Record<string, Plan>;
}

/** The step a goto or retry action names, if any. */
export const actionStepId = (a: PlanAction): string | undefined => (a.type === 'end' ? undefined : a.stepId);
/** The key in Plan.workflows of the workflow a goto or retry action runs, if any. */
export const actionWorkflowKey = (a: PlanAction): string | undefined => (a.type === 'end' ? undefined : a.workflowKey);
/** `goto` back to this step or an earlier one (a loop). */
export const loopsBack = (steps: PlanStep[], index: number, a: PlanAction): boolean =>
  a.type === 'goto' && a.stepId !== undefined && steps.findIndex((s) => s.stepId === a.stepId) <= index;
/** What a step runs: `METHOD /path`, `workflow <id>`, `send <channel>` or `receive <channel>`. */
export const stepTarget = (s: PlanStep | PlanCancel): string => {
  if (!('kind' in s) || s.kind === 'operation') return `${s.operation.method} ${s.operation.path}`;
  return s.kind === 'workflow' ? `workflow ${s.workflow.workflowId}` : `${s.kind} ${s.channel.address}`;
};
/** `step · METHOD /path` or `step · workflow <id>`: how a step is named in activity summaries and details. */
export const stepLabel = (s: PlanStep | PlanCancel): string => `${s.stepId} · ${stepTarget(s)}`;
