// The step activity's heartbeat details (PollHeartbeat, src/core/run-status.ts): the transient failures in a row
// (the backoff of the next attempt grows with them), the last transient error, and the latest poll's status. A poll
// loop runs as one activity's retries for hours; these details are how a client sees its progress meanwhile
// (`status`, `watch`), since the workflow learns the outcome only when the loop ends. Every heartbeat keeps what the
// previous attempt reported unless it says otherwise, so the last poll's status stays while the next is in flight.
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
 * A poll answered and the loop goes on: its status (the step's x-temporal-status, else the first string value its
 * criteria tested) and when the next poll is, in the heartbeat details.
 */
export function reportPoll(
  stepId: string,
  polls: number,
  normalized: NormalizedStatus | undefined,
  observed: () => Record<string, unknown> | undefined,
  delayMs: number,
): void {
  const word = normalized?.rawStatus ?? Object.values(observed() ?? {}).find((v): v is string => typeof v === 'string');
  const now = Date.now();
  heartbeatWith({
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
  });
}
