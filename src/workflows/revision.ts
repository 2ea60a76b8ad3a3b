// Changes to the workflow's history, asked the way its start allows (src/core/history-revision.ts): a revision-2 run
// has every change below in effect without a marker; an earlier run asks patched(), as it did when it ran.
import { patched, workflowInfo } from '@temporalio/workflow';
import { revisionOf } from '../core/history-revision';

/** The changes made behind patched() before revision 2, the ones `changed` may be asked about. */
type RevisionTwoChange = 'arazzo-search-attributes' | 'child-input-defaults' | 'retry-wait-at-least-hint' | 'step-depends-on';

/** Whether this run has the change `patchId`: always for a revision-2 run, else as patched() says. */
export function changed(patchId: RevisionTwoChange): boolean {
  return revisionTwo() || patched(patchId);
}

/** Whether this run's start says revision 2 or later. */
export function revisionTwo(): boolean {
  return revisionOf(workflowInfo().memo) >= 2;
}
