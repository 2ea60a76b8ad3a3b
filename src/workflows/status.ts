// The run's live status record (src/core/run-status.ts) on the workflow side: answered by the `status` query, shown
// as the Web UI's current details, and upserted into the search attributes as the run moves, where the namespace
// has them. Current details and queries add nothing to history; the upserts do, so how they are made depends on the
// run's history revision (src/core/history-revision.ts):
// - revisions 1 and 2: only in runs whose start set ArazzoWorkflow (proof that the namespace has the attributes: an
//   upsert of an unregistered one would fail every workflow task of the run), ArazzoStep and BatchStatus, upserted
//   at each change (revision 1 behind changed('arazzo-search-attributes'), ./revision.ts);
// - revision 3: where the start's memo says the client found them registered (or the start carried them), all four,
//   the first three in the first workflow task; the changes of one workflow task go out as one upsert, when a step
//   starts, a wait begins or the run ends (flush).
import { setCurrentDetails, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { changed, revision } from './revision';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { SEARCH_MEMO } from '../core/history-revision';
import { currentDetails, type RunStatusRecord } from '../core/run-status';
import { documentName, SEARCH_ATTRIBUTES } from '../core/search-attributes';
import type { StepOutcome } from '../core/contract';
import { statusQuery } from './queries';
import type { Run } from './run';

type Key = (typeof SEARCH_ATTRIBUTES)[keyof typeof SEARCH_ATTRIBUTES];

export class StatusTracker {
  private nextPollAt?: string;
  private lastError?: string;
  private readonly upserted: Record<string, string> = {};
  /** whether this run upserts the search attributes (the namespace has them) */
  readonly upserts: boolean;
  /** revision 3: a workflow task's changes go out as one upsert, at flush() */
  private readonly merged: boolean;
  private readonly keys: Key[];
  private pending: SearchAttributeUpdatePair[] = [];

  constructor(
    private readonly run: Run,
    private readonly outcomeUnknown: () => { stepId: string; message: string } | undefined,
  ) {
    const info = workflowInfo();
    const rev = revision();
    const carried = info.typedSearchAttributes.get(SEARCH_ATTRIBUTES.workflow) !== undefined;
    this.upserts = (carried && changed('arazzo-search-attributes')) || (rev >= 3 && info.memo?.[SEARCH_MEMO] === true);
    this.merged = rev >= 3;
    this.keys = this.merged
      ? [SEARCH_ATTRIBUTES.document, SEARCH_ATTRIBUTES.workflow, SEARCH_ATTRIBUTES.step, SEARCH_ATTRIBUTES.batchStatus]
      : [SEARCH_ATTRIBUTES.step, SEARCH_ATTRIBUTES.batchStatus];
    // what the start set (or a continue-as-new carried over) is not upserted again; a revision-2 run skips only the
    // step its start set, and a revision-1 run upserted that too
    const skip = this.merged ? this.keys : rev === 2 ? [SEARCH_ATTRIBUTES.step] : [];
    for (const key of skip) {
      const atStart = info.typedSearchAttributes.get(key);
      if (this.upserts && atStart !== undefined) this.upserted[key.name] = atStart;
    }
    setHandler(statusQuery, () => this.record());
  }

  record(): RunStatusRecord {
    const { plan, state } = this.run;
    const s = state.normalizedStatus;
    const unknown = this.outcomeUnknown();
    return {
      workflow: plan.workflowId,
      document: documentName(plan.document.file),
      ...(plan.steps[state.cursor] && { step: plan.steps[state.cursor].stepId }),
      stepIndex: state.cursor,
      steps: plan.steps.length,
      stepRuns: state.stepRuns,
      polls: state.polls,
      ...(s && { batchStatus: s.batchStatus, providerStatus: s.rawStatus, statusStep: s.stepId }),
      ...(s?.requestCounts && { requestCounts: s.requestCounts }),
      ...(this.nextPollAt && { nextPollAt: this.nextPollAt }),
      ...(this.lastError && { lastError: this.lastError }),
      ...(unknown && { outcomeUnknown: unknown }),
    };
  }

  /** A step starts, or ended with `outcome`: refresh the details and the search attributes. */
  moved(outcome?: StepOutcome): void {
    this.nextPollAt = undefined;
    if (outcome && !outcome.success && outcome.errorMessage) this.lastError = outcome.errorMessage;
    // a step's end waits for what comes next in the same workflow task (the next step, a wait, the end)
    this.refresh(!outcome);
  }

  /** A loop or retry waits `ms` on a durable timer before the next iteration. */
  waiting(ms: number): void {
    this.nextPollAt = new Date(Date.now() + ms).toISOString();
    this.refresh();
  }

  /** Upsert what changed since the last upsert (revision 3; before it, every change went out at once). */
  flush(): void {
    if (!this.pending.length) return;
    upsertSearchAttributes(this.pending);
    this.pending = [];
  }

  private refresh(flush = true): void {
    const record = this.record();
    setCurrentDetails(currentDetails(record));
    if (!this.upserts) return;
    const { plan } = this.run;
    const values: Record<string, string | undefined> = {
      [SEARCH_ATTRIBUTES.document.name]: documentName(plan.document.file),
      [SEARCH_ATTRIBUTES.workflow.name]: plan.workflowId,
      [SEARCH_ATTRIBUTES.step.name]: record.step,
      [SEARCH_ATTRIBUTES.batchStatus.name]: record.batchStatus,
    };
    for (const key of this.keys) {
      const value = values[key.name];
      if (value === undefined || this.upserted[key.name] === value) continue;
      this.upserted[key.name] = value;
      this.pending = [...this.pending.filter((p) => p.key.name !== key.name), { key, value }];
    }
    if (flush || !this.merged) this.flush();
  }
}
