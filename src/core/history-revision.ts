// The history revision of a run: what its start says about the history it records, in the start's memo.
// - Revision 1: a start that says nothing (started by an earlier release, or by another client: the Temporal CLI,
//   the Python SDK). The workflow asks patched() for each change made since, so its history replays as it ran.
// - Revision 2: every change the workflow once made behind patched() is in effect without its marker, and without
//   the TemporalChangeVersion search-attribute upsert the SDK adds to each marker (two events and a visibility write
//   per patch and run).
// - Revision 3 (this release's clients: start, schedules, child workflows): the start carries no search attributes.
//   When the client found them registered in the namespace it says so in the memo (SEARCH_MEMO), and the run sets
//   them itself: ArazzoDocument, ArazzoWorkflow and ArazzoStep with one upsert in its first workflow task, then at
//   most one upsert per workflow task as it moves (a step that ends and the next that starts share one). A start with
//   search attributes cost the dev server more than the same attributes upserted by the run (bench/bench.ts, start
//   latency), and two upserts in one workflow task are two visibility writes where one does.
// A change to what the workflow records from now on either keys on a new revision or asks patched().
export const REVISION_MEMO = 'arazzoRevision';
export const HISTORY_REVISION = 3;
/** memo key: the namespace has the search attributes registered, the run upserts them (revision 3) */
export const SEARCH_MEMO = 'arazzoSearchAttributes';

/** The revision a start's memo says; 1 when it says none. */
export function revisionOf(memo: Record<string, unknown> | undefined): number {
  const r = memo?.[REVISION_MEMO];
  return typeof r === 'number' && Number.isInteger(r) && r >= 1 ? r : 1;
}

/** The memo of a run this release starts: the document and workflow (for `status` of a closed run), the revision. */
export function runMemo(documentFile: string, workflowId: string, searchAttributes: boolean): Record<string, unknown> {
  return {
    arazzoDocument: documentFile,
    arazzoWorkflowId: workflowId,
    [REVISION_MEMO]: HISTORY_REVISION,
    ...(searchAttributes && { [SEARCH_MEMO]: true }),
  };
}
