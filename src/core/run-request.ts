// The run request: what any Temporal client (the Temporal CLI, Python, Go, the Web UI, a Schedule) passes as the
// input of workflow type arazzoWorkflow to run a document by reference. Its shape is a public contract,
// schemas/run-request.schema.json (version 1); these are its types. Pure: the workflow imports it.
import type { RunOptions } from './contract';

export const RUN_REQUEST_VERSION = 1;

export interface RunRequestPoll {
  interval?: string;
  maxInterval?: string;
  timeout?: string;
  backoff?: number;
}

export interface DocumentRunRequest {
  version?: 1;
  /** a path under a document root of the worker, an https URL, or the document itself */
  document: string | { inline: string; name?: string };
  /** workflowId to run (default: the first) */
  workflow?: string;
  inputs?: Record<string, unknown>;
  servers?: Record<string, string>;
  sources?: Record<string, string>;
  /** OpenAPI Overlay 1.0 documents applied to the document in order: paths under a document root, or https URLs */
  overlays?: string[];
  /** sha256:<hex> of the document text: a document that changed since is refused */
  pin?: string;
  /** sha256 of each part of the pinned document, so a refusal can say what changed */
  pinned?: Record<string, string>;
  /** the engine's run options (durations as 500ms, 5s, 2m, 1h), and the compile's */
  options?: RunOptions & { strict?: boolean; poll?: RunRequestPoll };
}

/** Failure types of a start the worker cannot use; none is retried. */
export const BAD_START = 'ArazzoBadStart';
export const INVALID_DOCUMENT = 'ArazzoInvalidDocument';
export const INVALID_INPUTS = 'ArazzoInvalidInputs';
export const DOCUMENT_CHANGED = 'ArazzoDocumentChanged';
export const REFUSED_DOCUMENT = 'ArazzoRefusedDocument';
export const PREPARE_ERRORS = [BAD_START, INVALID_DOCUMENT, INVALID_INPUTS, DOCUMENT_CHANGED, REFUSED_DOCUMENT];
