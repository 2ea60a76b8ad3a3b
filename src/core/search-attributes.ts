// The run's search attributes (all Keyword): which document and workflow it runs, the step it is at and its
// normalized batch status. Set at start by the client and upserted by the workflow as the run moves, so that
// `list`, the Web UI and `temporal workflow list --query` find runs by them:
//   ArazzoWorkflow = "batch-job" AND BatchStatus = "in_progress"
// A namespace must have them registered (the dev server does at start; README: `temporal operator search-attribute
// create`). A start carrying unregistered ones is refused by the server, so the client starts without them (with a
// warning), and the workflow upserts only when its start carried them: a run never fails or hangs over them.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { EXECUTION_STATUSES } from './execution-statuses';

export { EXECUTION_STATUSES };

export const SEARCH_ATTRIBUTES = {
  document: defineSearchAttributeKey('ArazzoDocument', SearchAttributeType.KEYWORD),
  workflow: defineSearchAttributeKey('ArazzoWorkflow', SearchAttributeType.KEYWORD),
  step: defineSearchAttributeKey('ArazzoStep', SearchAttributeType.KEYWORD),
  batchStatus: defineSearchAttributeKey('BatchStatus', SearchAttributeType.KEYWORD),
} as const;

export const SEARCH_ATTRIBUTE_NAMES = Object.values(SEARCH_ATTRIBUTES).map((k) => k.name);

/** The document as ArazzoDocument holds it: its file name, without folders (`openai-batch-job.arazzo.yaml`). */
export function documentName(file: string): string {
  const clean = file.replace(/[?#].*$/, '').replace(/\/+$/, '');
  return clean.slice(clean.lastIndexOf('/') + 1) || file;
}

export interface ListFilter {
  document?: string;
  workflow?: string;
  step?: string;
  /** the execution status: running, failed, … (EXECUTION_STATUSES) */
  status?: string;
  /** the normalized batch status (BatchStatus) */
  batchStatus?: string;
}

const quote = (v: string) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** The visibility query of a filter; the runs of this project's workflow type only. */
export function listQuery(filter: ListFilter, workflowType: string): string {
  const terms = [`WorkflowType = ${quote(workflowType)}`];
  if (filter.document) terms.push(`ArazzoDocument = ${quote(documentName(filter.document))}`);
  if (filter.workflow) terms.push(`ArazzoWorkflow = ${quote(filter.workflow)}`);
  if (filter.step) terms.push(`ArazzoStep = ${quote(filter.step)}`);
  if (filter.batchStatus) terms.push(`BatchStatus = ${quote(filter.batchStatus)}`);
  if (filter.status) {
    const status = EXECUTION_STATUSES[filter.status.toLowerCase()];
    if (!status) throw new Error(`unknown status "${filter.status}" (expected ${Object.keys(EXECUTION_STATUSES).join(', ')})`);
    terms.push(`ExecutionStatus = ${quote(status)}`);
  }
  return terms.join(' AND ');
}

/** A server's refusal of a start because a search attribute is not registered in the namespace. */
export function isUnregisteredAttributeError(message: string): boolean {
  return /search attribute/i.test(message) && /(not defined|not registered|unknown|no mapping|invalid)/i.test(message);
}
