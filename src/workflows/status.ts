// The run's live status record (src/core/run-status.ts) on the workflow side: answered by the `status` query, shown
// as the Web UI's current details, and, when the start carried the search attributes, upserted into them
// (ArazzoStep, BatchStatus) as the run moves. Current details and queries add nothing to history; the upserts do,
// behind changed('arazzo-search-attributes') (./revision.ts), only in runs whose start set ArazzoWorkflow (so the namespace has
// the attributes registered: an upsert of an unregistered one would fail every workflow task of the run).
import { setCurrentDetails, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { changed, revisionTwo } from './revision';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { currentDetails, type RunStatusRecord } from '../core/run-status';
import { documentName, SEARCH_ATTRIBUTES } from '../core/search-attributes';
import type { StepOutcome } from '../core/contract';
import { statusQuery } from './queries';
import type { Run } from './run';

export class StatusTracker {
  private nextPollAt?: string;
  private lastError?: string;
  private readonly upserted: Record<string, string> = {};
  private readonly upserts: boolean;

  constructor(
    private readonly run: Run,
    private readonly outcomeUnknown: () => { stepId: string; message: string } | undefined,
  ) {
    const carried = workflowInfo().typedSearchAttributes.get(SEARCH_ATTRIBUTES.workflow) !== undefined;
    this.upserts = carried && changed('arazzo-search-attributes');
    // the step its start set is not upserted again (a revision-2 run; an earlier one did upsert it)
    const atStart = workflowInfo().typedSearchAttributes.get(SEARCH_ATTRIBUTES.step);
    if (this.upserts && atStart !== undefined && revisionTwo()) this.upserted[SEARCH_ATTRIBUTES.step.name] = atStart;
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
    this.refresh();
  }

  /** A loop or retry waits `ms` on a durable timer before the next iteration. */
  waiting(ms: number): void {
    this.nextPollAt = new Date(Date.now() + ms).toISOString();
    this.refresh();
  }

  private refresh(): void {
    const record = this.record();
    setCurrentDetails(currentDetails(record));
    if (!this.upserts) return;
    const want: [typeof SEARCH_ATTRIBUTES.step, string | undefined][] = [
      [SEARCH_ATTRIBUTES.step, record.step],
      [SEARCH_ATTRIBUTES.batchStatus, record.batchStatus],
    ];
    const changes: SearchAttributeUpdatePair[] = [];
    for (const [key, value] of want) {
      if (value === undefined || this.upserted[key.name] === value) continue;
      this.upserted[key.name] = value;
      changes.push({ key, value });
    }
    if (changes.length) upsertSearchAttributes(changes);
  }
}
