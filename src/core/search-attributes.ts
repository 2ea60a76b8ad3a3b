// The run's search attributes (all Keyword): which document and workflow it runs, the step it is at and its
// normalized batch status. The workflow upserts them as the run moves (a run of this release from its first workflow
// task on, src/core/history-revision.ts), so that `list`, the Web UI and `temporal workflow list --query` find runs
// by them:
//   ArazzoWorkflow = "batch-job" AND BatchStatus = "in_progress"
// A namespace must have them registered (the dev server does at start; README: `temporal operator search-attribute
// create`): the client checks once per namespace, and where they are missing its runs set none (with a warning), so
// a run never fails or hangs over them.
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

/** Whether a filter names only the document and workflow (and the execution status): runs that have not set their
 *  search attributes yet can match it by their memo. */
const byIdentityOnly = (filter: ListFilter) => !!(filter.document || filter.workflow) && !filter.step && !filter.batchStatus;

/**
 * The visibility query of a filter; the runs of this project's workflow type only. A run sets its search attributes in
 * its first workflow task (src/core/history-revision.ts): until a worker has taken it, it has none. A filter by
 * document or workflow alone also matches such runs (ArazzoWorkflow IS NULL), and listRuns keeps those whose memo
 * names that document and workflow (unsetRunMatches).
 */
export function listQuery(filter: ListFilter, workflowType: string): string {
  const terms = [`WorkflowType = ${quote(workflowType)}`];
  const identity: string[] = [];
  if (filter.document) identity.push(`ArazzoDocument = ${quote(documentName(filter.document))}`);
  if (filter.workflow) identity.push(`ArazzoWorkflow = ${quote(filter.workflow)}`);
  if (byIdentityOnly(filter)) terms.push(`((${identity.join(' AND ')}) OR ArazzoWorkflow IS NULL)`);
  else terms.push(...identity);
  if (filter.step) terms.push(`ArazzoStep = ${quote(filter.step)}`);
  if (filter.batchStatus) terms.push(`BatchStatus = ${quote(filter.batchStatus)}`);
  if (filter.status) {
    const status = EXECUTION_STATUSES[filter.status.toLowerCase()];
    if (!status) throw new Error(`unknown status "${filter.status}" (expected ${Object.keys(EXECUTION_STATUSES).join(', ')})`);
    terms.push(`ExecutionStatus = ${quote(status)}`);
  }
  return terms.join(' AND ');
}

/** Whether a run without ArazzoWorkflow (listQuery's IS NULL) matches the filter by its memo (the client's runMemo). */
export function unsetRunMatches(filter: ListFilter, memo: Record<string, unknown> | undefined): boolean {
  if (!byIdentityOnly(filter)) return true;
  const doc = typeof memo?.arazzoDocument === 'string' ? documentName(memo.arazzoDocument) : undefined;
  const workflow = typeof memo?.arazzoWorkflowId === 'string' ? memo.arazzoWorkflowId : undefined;
  return (!filter.document || doc === documentName(filter.document)) && (!filter.workflow || workflow === filter.workflow);
}
