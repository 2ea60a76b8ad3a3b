// Child workflows: a workflow of the plan run as a Temporal child of this run (dependsOn, a workflow step,
// goto/retry workflowId), and the one place their failures are told apart: a child that failed or timed out
// is the caller's to report; a cancel, or any other error, goes on up as it is.
import {
  ActivityFailure,
  ApplicationFailure,
  ChildWorkflowFailure,
  TimeoutFailure,
  executeChild,
  isCancellation,
} from '@temporalio/workflow';
import { REVISION_MEMO, runMemo } from '../core/history-revision';
import { changed, revision } from './revision';
import { withSchemaDefaults } from '../core/input-defaults';
import { subPlan } from '../core/subworkflows';
import type { Plan } from '../core/plan';
import type { ArazzoRunResult, Run } from './run';

/** child workflows nest at most this deep (a workflow that runs itself) */
const MAX_DEPTH = 32;

/** The innermost message of a child's or activity's failure. */
export function failureText(err: unknown): string {
  let e = err as { message?: string; cause?: unknown } | undefined;
  while (e?.cause) e = e.cause as typeof e;
  return e instanceof TimeoutFailure ? 'timed out' : (e?.message ?? String(err));
}

/** A timeout, or retries (of transient failures, or polls) cut off by the timeout. */
export const isTimeout = (err: unknown) =>
  (err instanceof ActivityFailure || err instanceof ChildWorkflowFailure) &&
  (err.cause instanceof TimeoutFailure || err.retryState === 'TIMEOUT');

export interface ChildRequest {
  /** the workflow's key in Plan.workflows */
  key: string;
  inputs: Record<string, unknown>;
  /** the child's workflow id */
  id: string;
  /** why it runs, for messages and the child's summary */
  why: string;
  timeoutMs?: number;
}

/** How a child ended: its result, or why it failed (`timedOut` when it ran out of time). */
export type ChildEnd = { result: ArazzoRunResult } | { failure: string; timedOut: boolean };

/**
 * A child's memo: from a revision-3 run, this release's (the child sets the search attributes where its parent does);
 * an earlier run starts its children as it did, at revision 2 and without them.
 */
function childMemo(run: Run, sub: Plan): Record<string, unknown> {
  if (revision() >= 3) return runMemo(sub.document.file, sub.workflowId, run.status?.upserts ?? false);
  return { arazzoDocument: sub.document.file, arazzoWorkflowId: sub.workflowId, [REVISION_MEMO]: 2 };
}

/** Run the workflow `key` of the plan as a child workflow. A cancel and errors other than the child's failure are thrown. */
export async function runChild(run: Run, child: ChildRequest): Promise<ChildEnd> {
  const sub = subPlan(run.plan, child.key);
  if (!sub) throw ApplicationFailure.nonRetryable(`${child.why}: workflow ${child.key} is not in the plan`, 'ArazzoPlanError');
  if (run.depth >= MAX_DEPTH)
    throw ApplicationFailure.nonRetryable(
      `${child.why}: child workflows nest more than ${MAX_DEPTH} deep (does a workflow run itself?)`,
      'ArazzoNestingLimit',
    );
  // the child's inputs get its schema's defaults, as the root's do when the run is prepared (runs started before
  // this change started their children without them)
  const inputs = changed('child-input-defaults') ? withSchemaDefaults(sub.inputsSchema, child.inputs) : child.inputs;
  try {
    const result = await executeChild('arazzoWorkflow', {
      workflowId: child.id,
      args: [{ plan: sub, inputs, options: run.options, completed: run.state.completed, depth: run.depth + 1 }],
      staticSummary: `${sub.document.title || sub.document.file} · ${sub.workflowId} (${child.why})`.slice(0, 200),
      memo: childMemo(run, sub),
      ...(child.timeoutMs !== undefined && { workflowExecutionTimeout: child.timeoutMs }),
    });
    return { result: result as ArazzoRunResult };
  } catch (err) {
    if (isCancellation(err) || !(err instanceof ChildWorkflowFailure)) throw err;
    return { failure: failureText(err), timedOut: isTimeout(err) };
  }
}

/** Run a child that must succeed: its failure fails the run with `message(failure)` as a non-retryable `type` error. */
export async function runChildOrFail(
  run: Run,
  child: ChildRequest,
  type: string,
  message: (failure: string) => string,
  details?: unknown,
): Promise<ArazzoRunResult> {
  const end = await runChild(run, child);
  if ('failure' in end) throw ApplicationFailure.nonRetryable(message(end.failure), type, ...(details === undefined ? [] : [details]));
  return end.result;
}
