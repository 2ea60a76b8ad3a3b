// Changes to the workflow's history, asked the way its start allows (src/core/history-revision.ts): a run of
// revision 2 or later has every change below in effect without a marker; an earlier run asks patched(), as it did
// when it ran.
import { patched, workflowInfo } from '@temporalio/workflow';
import { revisionOf } from '../core/history-revision';

/** The changes made behind patched() before revision 2, the ones `changed` may be asked about. */
type RevisionTwoChange = 'arazzo-search-attributes' | 'child-input-defaults' | 'retry-wait-at-least-hint' | 'step-depends-on';

/** Whether this run has the change `patchId`: always from revision 2 on, else as patched() says. */
export function changed(patchId: RevisionTwoChange): boolean {
  return revision() >= 2 || patched(patchId);
}

/** The revision this run's start says. */
export function revision(): number {
  return revisionOf(workflowInfo().memo);
}
