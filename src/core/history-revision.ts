// The history revision of a run: what its start says about the history it records, in the start's memo. Runs started
// by this release's clients (start, schedules, child workflows) say revision 2: every change the workflow once made
// behind patched() is in effect for them without its marker, and without the TemporalChangeVersion search-attribute
// upsert the SDK adds to each marker (two events and a visibility write per patch and run). A run whose start does not
// say (started earlier, or by another client) is revision 1 and asks patched() as before, so its history replays as
// it ran. A change to what the workflow records from now on either keys on a new revision or asks patched().
export const REVISION_MEMO = 'arazzoRevision';
export const HISTORY_REVISION = 2;

/** The revision a start's memo says; 1 when it says none. */
export function revisionOf(memo: Record<string, unknown> | undefined): number {
  const r = memo?.[REVISION_MEMO];
  return typeof r === 'number' && Number.isInteger(r) && r >= 1 ? r : 1;
}
