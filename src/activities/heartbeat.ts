// The step activity's heartbeat details (PollHeartbeat, src/core/run-status.ts): the transient failures in a row
// (the backoff of the next attempt grows with them) and the last transient error. A poll loop runs as one activity's
// retries for hours, and the workflow learns the outcome only when the loop ends; a client sees its progress
// meanwhile (`status`, `watch`) in the pending activity: the latest poll's report rides on the attempt's
// ArazzoPollPending failure (its details), which the server keeps as the activity's last failure until the next
// attempt ends. A poll heartbeats only to reset a count of transient failures (run-step.ts): a heartbeat is a write on
// the server, and a batch polled for hours would pay one per poll. Every heartbeat keeps what the previous attempt reported
// unless it says otherwise.
import { activityInfo, heartbeat } from '@temporalio/activity';
import type { NormalizedStatus } from '../core/batch-status';
import type { PollHeartbeat } from '../core/run-status';

/** What the previous attempt's last heartbeat said (nothing on a first attempt). */
export function previousDetails(): PollHeartbeat & Record<string, unknown> {
  const d = activityInfo().heartbeatDetails;
  return d && typeof d === 'object' && !Array.isArray(d) ? (d as PollHeartbeat & Record<string, unknown>) : {};
}

/** Heartbeat `patch` over the previous attempt's details. */
export function heartbeatWith(patch: PollHeartbeat & Record<string, unknown>): void {
  heartbeat({ ...previousDetails(), ...patch });
}

/**
 * A poll answered and the loop goes on: its report — its status (the step's x-temporal-status, else the first string
 * value its criteria tested) and when the next poll is — for the details of the attempt's failure. (The exchange
 * heartbeats once to reset a count of transient failures the previous attempts left.)
 */
export function pollReport(
  stepId: string,
  polls: number,
  normalized: NormalizedStatus | undefined,
  observed: () => Record<string, unknown> | undefined,
  delayMs: number,
): PollHeartbeat {
  const word = normalized?.rawStatus ?? Object.values(observed() ?? {}).find((v): v is string => typeof v === 'string');
  const now = Date.now();
  return {
    transientFailures: 0,
    poll: {
      stepId,
      polls,
      ...(word !== undefined && { providerStatus: word.slice(0, 200) }),
      ...(normalized && { batchStatus: normalized.batchStatus }),
      ...(normalized?.requestCounts && { requestCounts: normalized.requestCounts }),
      nextPollAt: new Date(now + delayMs).toISOString(),
      at: new Date(now).toISOString(),
    },
  };
}
