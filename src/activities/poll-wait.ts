// The wait between two polls of a step that loops on itself (run-step.ts), one of two kinds:
// - short (≤ 1 s): the attempt sleeps and polls again, with no round trip to the Temporal server per poll. This is
//   Temporal's "frequent polling" pattern (temporalio/samples-go polling/frequent: poll inside the activity for
//   intervals of a second or less, heartbeating on every iteration);
// - longer: the attempt ends with nextRetryDelay, so the server's timer holds the wait and no worker slot is taken
//   ("infrequent polling", samples-go polling/infrequent). This is how a batch waits for hours.
// At most `limit` attempts sleep in one worker process at a time (half its activity slots), so sleeping polls never
// keep a create waiting for a slot; the rest wait on the server, as longer waits do.
import { sleep } from '@temporalio/activity';
import type { PollHeartbeat } from '../core/run-status';
import { heartbeatWith, previousDetails } from './heartbeat';

/** The longest wait slept inside an attempt. */
export const IN_PROCESS_POLL_MAX_MS = 1000;

/** The SDK's default maxConcurrentActivityTaskExecutions (@temporalio/worker worker-options). */
const SDK_ACTIVITY_SLOTS = 100;

let limit = SDK_ACTIVITY_SLOTS / 2;
let sleeping = 0;

/** Set from the worker's activity slots (src/worker.ts): half of them may sleep between polls. */
export function limitInProcessPolls(activitySlots: number | undefined): void {
  limit = Math.floor((activitySlots ?? SDK_ACTIVITY_SLOTS) / 2);
}

/** Polls that earlier attempts of this activity made in process (their attempts count the rest). */
export function inProcessPollsBefore(): number {
  const n = (previousDetails() as { inProcessPolls?: unknown }).inProcessPolls;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : 0;
}

/**
 * Sleep `delayMs` in this attempt and say true, when the wait is short and a place is free; else false (the attempt
 * ends and the server waits). The report is heartbeated (the SDK sends at most one per throttle interval, 80 % of
 * the heartbeat timeout), so `status` sees the latest poll and a cancel of the run reaches the sleep.
 */
export async function sleptInProcess(delayMs: number, report: PollHeartbeat, inProcessPolls: number): Promise<boolean> {
  if (delayMs > IN_PROCESS_POLL_MAX_MS || sleeping >= limit) return false;
  sleeping++;
  try {
    heartbeatWith({ ...report, inProcessPolls });
    await sleep(delayMs);
    return true;
  } finally {
    sleeping--;
  }
}
