// The compiler's inputs and outputs: loaded source descriptions, options, the result with the sites of every
// compiled workflow in its document, and the extensions it reads.
import type { Diagnostic, Locate, Plan, PollPolicy, SourcePos } from '../types';

export type { Locate } from '../types';

export interface LoadedSource {
  name: string;
  type: string;
  /** where it was read from, after overrides */
  location: string;
  /** parsed description, absent when it could not be loaded */
  spec?: unknown;
  loadError?: string;
  /** where it is, absolute (an http(s) URL, or a file path): what $sourceDescriptions.<name>.url reads; default: location */
  url?: string;
  /** an Arazzo source description: where it was read from, positions in it, and its own source descriptions, loaded */
  arazzo?: { file: string; locate?: Locate; sources: Record<string, LoadedSource> };
}

export interface CompileOptions {
  file: string;
  locate?: Locate;
  /** which workflow to compile; default: the only one, or the first */
  workflowId?: string;
  sources: Record<string, LoadedSource>;
  /**
   * replace the server URL of a source description's operations, by name: a plain name applies to the source
   * descriptions of that name in this document and in the Arazzo documents it references; `<arazzoSource>.<name>`
   * (`<a>.<b>.<name>` further down) only to that referenced document's
   */
  serverOverrides?: Record<string, string>;
  /** poll defaults of this run (document and step extensions override them) */
  poll?: Partial<PollPolicy>;
}

/** Where a compiled workflow and its steps sit in their document: for the checks after compile, never sent to the workflow. */
export interface PlanSites {
  file: string;
  /** ['workflows', index] */
  workflowPath: (string | number)[];
  /** responseEnums: the string enums of the step's response body by JSON pointer (src/core/openapi.ts responseEnums) */
  steps: Record<string, { pos?: SourcePos; docPath: (string | number)[]; responseEnums?: Record<string, string[]> }>;
}

export interface CompileResult {
  plan?: Plan;
  diagnostics: Diagnostic[];
  /** by key of the workflow (the target's workflowId, or its key in Plan.workflows) */
  sites: Record<string, PlanSites>;
}

/** The extension that sets how loops wait: at document, workflow or step level. */
export const POLL_EXTENSION = 'x-temporal-poll';
/** The extension on a create step naming the operation that cancels what it created. */
export const CANCEL_EXTENSION = 'x-temporal-cancel';

export const OPERATION_REF = /^\$sourceDescriptions\.([A-Za-z0-9_-]+)\.(.+)$/;

export type Where = { workflowId?: string; stepId?: string };
