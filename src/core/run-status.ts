// The live status of a run: one small record, pure code. The workflow keeps the part it knows (current step, the
// normalized status its steps' outcomes carried, polls so far, the next loop timer) and answers it in the `status`
// query and as the Web UI's current details. A poll loop inside one activity reports each response's status in its
// heartbeat details (PollHeartbeat); the workflow cannot read those while the activity runs, so a client combines
// the query's record with the pending activity of `describe()` (combineStatus).
import type { RequestCounts } from './batch-status';
import { POLL_PENDING } from './contract';

/** What the workflow's `status` query answers. */
export interface RunStatusRecord {
  /** the Arazzo workflow and the document's file name */
  workflow: string;
  document: string;
  /** the step running now (undefined once past the last) and its index */
  step?: string;
  stepIndex: number;
  steps: number;
  stepRuns: number;
  /** polls that ended inside activities, plus workflow-side loop iterations */
  polls: number;
  /** the normalized status (x-temporal-status) the last step declaring it read, its provider word and counts */
  batchStatus?: string;
  providerStatus?: string;
  requestCounts?: RequestCounts;
  /** the step whose response said so */
  statusStep?: string;
  /** ISO time the next iteration of a workflow-side loop starts (a durable timer) */
  nextPollAt?: string;
  /** the last transient failure the workflow saw, masked of credentials */
  lastError?: string;
  /** a create step stopped with "outcome unknown" waits for `resolve` */
  outcomeUnknown?: { stepId: string; message: string };
}

/** Heartbeat details of the step activity: the transient failures in a row, and the latest poll's status. */
export interface PollHeartbeat {
  transientFailures?: number;
  poll?: {
    stepId: string;
    /** polls so far in this activity (its attempt number) */
    polls: number;
    providerStatus?: string;
    batchStatus?: string;
    requestCounts?: RequestCounts;
    /** ISO time of the next poll */
    nextPollAt?: string;
    /** ISO time of this response */
    at: string;
  };
  /** the last transient failure of this step (HTTP 5xx, a transport error), already masked */
  lastError?: string;
}

/** What the client reads of the pending step activity (describe()). */
export interface PendingStep {
  stepId?: string;
  attempt: number;
  heartbeat?: PollHeartbeat;
  /** the last attempt's failure message (a poll's "polling again" or a transient error) */
  lastFailure?: string;
  lastFailureType?: string;
  /** when the server will start the next attempt (a retry waiting) */
  nextAttemptAt?: string;
}

/**
 * The heartbeat details with the newest poll report: the one the last attempt's ArazzoPollPending failure carried
 * (a poll no longer heartbeats), or the heartbeat's own when it is newer (older workers heartbeated each poll).
 */
export function withPollReport(heartbeat: PollHeartbeat | undefined, reported: PollHeartbeat | undefined): PollHeartbeat | undefined {
  const poll = reported?.poll;
  if (!poll || typeof poll !== 'object' || typeof poll.stepId !== 'string') return heartbeat;
  const mine = heartbeat?.poll;
  if (mine && typeof mine.at === 'string' && typeof poll.at === 'string' && mine.at > poll.at) return heartbeat;
  return { ...heartbeat, poll };
}

/** A run's status as `status` shows it: the record, made live with the pending activity, and the execution's status. */
export interface LiveStatus extends RunStatusRecord {
  workflowId: string;
  /** Temporal's execution status: RUNNING, COMPLETED, FAILED, … */
  execution: string;
  /** attempt of the running step's activity, when it is past its first */
  attempt?: number;
}

function mergePoll(out: LiveStatus, poll: NonNullable<PollHeartbeat['poll']>, base: RunStatusRecord): void {
  if (poll.providerStatus !== undefined) out.providerStatus = poll.providerStatus;
  if (poll.batchStatus !== undefined) {
    out.batchStatus = poll.batchStatus;
    out.statusStep = poll.stepId;
    if (poll.requestCounts) out.requestCounts = poll.requestCounts;
  }
  out.polls = base.polls + poll.polls;
  if (poll.nextPollAt) out.nextPollAt = poll.nextPollAt;
}

/**
 * The workflow's record made live: a pending poll's heartbeat (newer than the last step outcome the workflow saw)
 * gives the provider status, counts, polls and next poll time; a transient failure of the pending attempt is the
 * last error. `mask` scrubs what did not come masked (failure messages are already masked by the activity).
 */
export function combineStatus(
  workflowId: string,
  execution: string,
  record: RunStatusRecord,
  pending: PendingStep | undefined,
  mask: (s: string) => string = (s) => s,
): LiveStatus {
  const out: LiveStatus = { workflowId, execution, ...record };
  if (execution !== 'RUNNING' || !pending) return out;
  if (pending.attempt > 1) out.attempt = pending.attempt;
  const poll = pending.heartbeat?.poll;
  // a poll of the step the workflow is at (details of an earlier step's activity are never current)
  if (poll && poll.stepId === (pending.stepId ?? record.step)) mergePoll(out, poll, record);
  if (!out.nextPollAt && pending.nextAttemptAt && pending.lastFailureType === POLL_PENDING) out.nextPollAt = pending.nextAttemptAt;
  const error = pending.heartbeat?.lastError ?? (pending.lastFailureType !== POLL_PENDING ? pending.lastFailure : undefined);
  if (error) out.lastError = mask(error);
  return out;
}

/** `2/3` requests done (completed + failed) of the total, when the total is known. */
export function countsProgress(c: RequestCounts | undefined): { done: number; total: number } | undefined {
  if (!c || !(c.total > 0)) return undefined;
  return { done: Math.min(c.total, c.completed + c.failed), total: c.total };
}

/** `in 42s`, `in 3m 5s`, `now`: the time to an ISO instant. */
export function timeUntil(iso: string | undefined, now: number): string | undefined {
  if (!iso) return undefined;
  const ms = Date.parse(iso) - now;
  if (!Number.isFinite(ms)) return undefined;
  if (ms <= 0) return 'now';
  const s = Math.ceil(ms / 1000);
  return s < 60
    ? `in ${s}s`
    : s < 3600
      ? `in ${Math.floor(s / 60)}m ${s % 60}s`
      : `in ${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

/** `in_progress (provider: in_progress), 2/3 requests done, 0 failed`: the batch part of a line. */
export function batchText(s: Pick<RunStatusRecord, 'batchStatus' | 'providerStatus' | 'requestCounts'>): string | undefined {
  if (!s.batchStatus && !s.providerStatus) return undefined;
  const word = s.batchStatus ?? s.providerStatus!;
  const provider = s.providerStatus && s.providerStatus !== word ? ` (provider: ${s.providerStatus})` : '';
  const c = s.requestCounts;
  return `${word}${provider}${c ? `, ${c.completed + c.failed}/${c.total} requests done, ${c.failed} failed` : ''}`;
}

/** One plain line: `step pollBatch (3/4) · batch in_progress, 1/3 requests done, 0 failed · 5 polls · next poll in 4s`. */
export function statusLine(s: RunStatusRecord & { attempt?: number }, now: number): string {
  const parts = [s.step ? `step ${s.step} (${s.stepIndex + 1}/${s.steps})` : `after the last step (${s.steps}/${s.steps})`];
  const batch = batchText(s);
  if (batch) parts.push(`batch ${batch}`);
  parts.push(`${s.polls} poll${s.polls === 1 ? '' : 's'}`);
  const next = timeUntil(s.nextPollAt, now);
  if (next) parts.push(`next poll ${next}`);
  if (s.outcomeUnknown) parts.push(`OUTCOME UNKNOWN at ${s.outcomeUnknown.stepId}, waiting for resolve`);
  if (s.lastError) parts.push(`last error: ${s.lastError}`);
  return parts.join(' · ');
}

/** `status` as text: one field a line. */
export function formatStatus(s: LiveStatus, now: number): string {
  const rows: [string, string | undefined][] = [
    ['run', `${s.workflowId} (${s.execution.toLowerCase()})`],
    ['workflow', `${s.workflow} of ${s.document}`],
    [
      'step',
      s.step ? `${s.step} (${s.stepIndex + 1} of ${s.steps})${s.attempt ? `, attempt ${s.attempt}` : ''}` : `done (${s.steps} steps)`,
    ],
    ['batch status', s.batchStatus ? `${s.batchStatus}${s.statusStep ? ` (step ${s.statusStep})` : ''}` : undefined],
    ['provider status', s.providerStatus],
    [
      'requests',
      s.requestCounts && `${s.requestCounts.completed} completed, ${s.requestCounts.failed} failed, of ${s.requestCounts.total}`,
    ],
    ['polls', String(s.polls)],
    ['step runs', String(s.stepRuns)],
    ['next poll', s.nextPollAt && `${timeUntil(s.nextPollAt, now)} (${s.nextPollAt})`],
    ['last error', s.lastError],
    ['outcome unknown', s.outcomeUnknown && `${s.outcomeUnknown.stepId}: ${s.outcomeUnknown.message}`],
  ];
  const shown = rows.filter((r): r is [string, string] => r[1] !== undefined);
  const width = Math.max(...shown.map(([k]) => k.length));
  return shown.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n') + '\n';
}

/** The Web UI's current details (Markdown): what the workflow knows now. */
export function currentDetails(s: RunStatusRecord): string {
  const lines = [
    `**${s.step ? `Step ${s.step}` : 'Finishing'}** (${Math.min(s.stepIndex + 1, s.steps)} of ${s.steps}) · workflow \`${s.workflow}\``,
  ];
  if (s.batchStatus)
    lines.push(
      `- batch status: **${s.batchStatus}**${s.providerStatus && s.providerStatus !== s.batchStatus ? ` (provider: ${s.providerStatus})` : ''}`,
    );
  if (s.batchStatus && s.providerStatus) lines.push(`- provider status: ${s.providerStatus}`);
  const c = s.requestCounts;
  if (c) lines.push(`- requests: ${c.completed} completed, ${c.failed} failed, of ${c.total}`);
  lines.push(`- polls: ${s.polls}, step runs: ${s.stepRuns}`);
  if (s.nextPollAt) lines.push(`- next poll: ${s.nextPollAt}`);
  if (s.lastError) lines.push(`- last error: ${s.lastError}`);
  if (s.outcomeUnknown) lines.push(`- **outcome unknown** at ${s.outcomeUnknown.stepId}: waiting for \`resolve\``);
  return lines.join('\n').slice(0, 20_000);
}
