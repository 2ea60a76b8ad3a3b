// Types shared by the pure core, the workflow and the activities (the plan itself: ./plan.ts).
// Everything here is JSON-serializable: a Plan travels as workflow input.

import type { CriterionAst } from './expr/ast';
import type { XPathEngine } from './xpath-engine';

/** A position in a source file, 1-based. */
export interface SourcePos {
  file: string;
  line?: number;
  column?: number;
}

/** Where a node sits in a document: keys and indexes from the root, e.g. ['workflows', 0, 'steps', 2]. */
export type DocPath = (string | number)[];

/** Where a document path sits in its text (src/load/parse-document.ts); falls back to the nearest ancestor. */
export type Locate = (path: DocPath) => SourcePos;

export type Severity = 'error' | 'warning';

/** One finding about a document: where it is, which workflow and step, what is wrong. */
export interface Diagnostic {
  severity: Severity;
  code: string;
  message: string;
  pos?: SourcePos;
  workflowId?: string;
  stepId?: string;
  /** JSON path inside the document, e.g. workflows[0].steps[2].onSuccess[1] */
  path?: string;
}

// ---------- Arazzo document (the subset of fields the engine reads; extensions pass through) ----------

export interface ArazzoDocument {
  arazzo: string;
  /** Arazzo 1.1: the document's URI, the base URI of its relative references (src/load/base-uri.ts) */
  $self?: string;
  info: { title: string; version: string; summary?: string; description?: string };
  sourceDescriptions: SourceDescription[];
  workflows: ArazzoWorkflow[];
  components?: {
    inputs?: Record<string, unknown>;
    parameters?: Record<string, ArazzoParameter>;
    successActions?: Record<string, ArazzoAction>;
    failureActions?: Record<string, ArazzoAction>;
  };
  [ext: `x-${string}`]: unknown;
}

export interface SourceDescription {
  name: string;
  url: string;
  type?: 'openapi' | 'arazzo' | 'asyncapi';
}

export interface ArazzoWorkflow {
  workflowId: string;
  summary?: string;
  description?: string;
  inputs?: JsonSchema;
  dependsOn?: string[];
  steps: ArazzoStep[];
  successActions?: (ArazzoAction | ReusableRef)[];
  failureActions?: (ArazzoAction | ReusableRef)[];
  outputs?: Record<string, string>;
  parameters?: (ArazzoParameter | ReusableRef)[];
  [ext: `x-${string}`]: unknown;
}

export interface ArazzoStep {
  stepId: string;
  description?: string;
  operationId?: string;
  operationPath?: string;
  workflowId?: string;
  parameters?: (ArazzoParameter | ReusableRef)[];
  requestBody?: {
    contentType?: string;
    payload?: unknown;
    replacements?: { target: string; value: unknown; targetSelectorType?: unknown }[];
  };
  successCriteria?: Criterion[];
  onSuccess?: (ArazzoAction | ReusableRef)[];
  onFailure?: (ArazzoAction | ReusableRef)[];
  outputs?: Record<string, string>;
  /** Arazzo 1.1: milliseconds the step may take before it fails */
  timeout?: number;
  /** Arazzo 1.1 AsyncAPI steps: send or receive on a channel (channelPath, or operationId of an AsyncAPI operation) */
  action?: 'send' | 'receive';
  channelPath?: string;
  correlationId?: string;
  [ext: `x-${string}`]: unknown;
}

export interface ArazzoParameter {
  name: string;
  in?: 'path' | 'query' | 'querystring' | 'header' | 'cookie';
  value: unknown;
}

export interface ReusableRef {
  reference: string;
  value?: unknown;
}

export type CriterionType = 'simple' | 'regex' | 'jsonpath' | 'xpath';

export interface Criterion {
  condition: string;
  context?: string;
  type?: CriterionType | { type: 'jsonpath' | 'xpath'; version: string };
  /** in a plan: the criterion as the compiler parsed it (src/core/expr/plan-expressions.ts) */
  ast?: CriterionAst;
}

export interface ArazzoAction {
  name: string;
  type: 'end' | 'goto' | 'retry';
  stepId?: string;
  workflowId?: string;
  criteria?: Criterion[];
  retryAfter?: number;
  retryLimit?: number;
  /** Arazzo 1.1: inputs of the workflow a goto/retry action runs */
  parameters?: (ArazzoParameter | ReusableRef)[];
}

export type JsonSchema = Record<string, unknown>;

// ---------- Plan: what the workflow executes ----------

/** Durations are milliseconds in the plan. */
export interface PollPolicy {
  /** first wait between loop iterations */
  initialIntervalMs: number;
  /** cap of the backed-off wait */
  maxIntervalMs: number;
  /** multiplier applied after each iteration */
  backoff: number;
  /** give up when a loop has been running this long (0 = no limit) */
  timeoutMs: number;
}

export interface PlanParameter {
  name: string;
  /** `querystring` (Arazzo 1.1, OpenAPI 3.2): the value is the whole query string */
  in: 'path' | 'query' | 'querystring' | 'header' | 'cookie';
  /** querystring: the media type of the operation parameter's `content` (application/x-www-form-urlencoded if it has none) */
  contentType?: string;
  /** a constant, or a runtime expression / template string evaluated at run time */
  value: unknown;
  /** the OpenAPI operation marks it required (path parameters always are): a value that evaluates to nothing fails the step */
  required?: boolean;
}

export interface PlanRequestBody {
  contentType: string;
  payload: unknown;
  /** targetSelectorType (Arazzo 1.1): jsonpointer (the default) or jsonpath, a name or an Expression Type Object */
  replacements?: { target: string; value: unknown; targetSelectorType?: unknown }[];
  /** multipart fields that are files (format: binary in the OpenAPI schema) */
  fileFields?: string[];
}

export interface PlanOperation {
  source: string;
  operationId?: string;
  method: string;
  /** path template as written in the OpenAPI description, e.g. /batches/{batch_id} */
  path: string;
  /** server URL the path is appended to (overrides applied) */
  serverUrl: string;
  /** response content types the operation declares, for the first 2xx */
  responseContentTypes?: string[];
  /** the description marks the operation idempotent (`x-idempotent: true`): safe to send again */
  idempotent?: boolean;
}

export type {
  PlanAction,
  EndAction,
  GotoAction,
  RetryAction,
  PlanStep,
  OperationStep,
  WorkflowStep,
  PlanCancel,
  PlanWorkflowTarget,
  Plan,
} from './plan';

// ---------- Secrets ----------

/** A run input that names an environment variable of the worker instead of carrying the value. */
export interface SecretRef {
  $secret: string;
}

export function isSecretRef(v: unknown): v is SecretRef {
  return (
    typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as SecretRef).$secret === 'string' && Object.keys(v).length === 1
  );
}

// ---------- Runtime ----------

/** What a runtime expression can see. */
export interface ExpressionContext {
  inputs: Record<string, unknown>;
  steps: Record<string, { outputs: Record<string, unknown> }>;
  workflows?: Record<string, { inputs?: Record<string, unknown>; outputs?: Record<string, unknown> }>;
  outputs?: Record<string, unknown>;
  sourceDescriptions?: Record<string, { url: string; type: string }>;
  url?: string;
  method?: string;
  statusCode?: number;
  request?: { header: Record<string, string>; query: Record<string, string>; path: Record<string, string>; body?: unknown };
  response?: { header: Record<string, string>; body?: unknown };
  /** the message a receive step received (Arazzo 1.1 `$message`) */
  message?: { header: Record<string, string>; payload?: unknown };
  /** where xpath Selector Objects get their answers when no engine is installed (the workflow's, from selectXPath) */
  xpath?: XPathEngine;
}

/** The request the activity sends, after expressions are evaluated (secrets still as references). */
export interface ResolvedRequest {
  method: string;
  url: string;
  /** values are text, or a secret reference (whole-value `$inputs.apiKey`) */
  headers: Record<string, string | SecretRef>;
  query: Record<string, string | SecretRef>;
  cookies: Record<string, string | SecretRef>;
  /** path parameter values, for $request.path.<name> */
  path?: Record<string, string | SecretRef>;
  body?: { contentType: string; value: unknown; fileFields?: string[] };
}

// ---------- Large values ----------

/** A body or output too large for workflow history, kept in a blob store. */
export interface BlobRef {
  /** where it is, e.g. file:///…/.data/blobs/<sha256> */
  $blob: string;
  size: number;
  sha256: string;
  contentType?: string;
}

export function isBlobRef(v: unknown): v is BlobRef {
  return typeof v === 'object' && v !== null && typeof (v as BlobRef).$blob === 'string' && typeof (v as BlobRef).sha256 === 'string';
}

/** x-temporal-reconcile of a create step, compiled: see src/core/reconcile.ts. */
export interface PlanReconcile {
  /** JSON Pointer into the JSON request body where the engine writes the request's run-unique marker */
  marker: string;
  /** the operation that lists what may have been created */
  lookup: { stepId: string; operation: PlanOperation; parameters: PlanParameter[] };
  /** RFC 9535 JSONPath over the lookup's response body selecting the candidates */
  items: string;
  /** JSON Pointer inside each candidate holding the marker (default: marker) */
  match: string;
  /** nothing found: look again until this long after the first lookup before sending again (default 10 s) */
  settleMs: number;
}
