// The last-resort guard around every activity: whatever an activity throws or returns must be something
// Temporal can carry. A failure the SDK cannot convert (a NaN nextRetryDelay, a cyclic detail) or a result
// too large for a payload would otherwise escape the SDK's completion path and stop the whole worker, and
// every run on it. Here it fails that one activity attempt instead, non-retryably, naming the step.
import { Context } from '@temporalio/activity';
import { ApplicationFailure, DefaultFailureConverter, defaultPayloadConverter } from '@temporalio/common';
import { maskDeep, maskError, maskKnown } from '../core/mask';
import { redact } from './secrets';

/** Temporal's default payload size limit is 2 MiB; stay clear of it so the completion is never refused. */
export const MAX_RESULT_BYTES = 1_900_000;
export const ACTIVITY_GUARD_ERROR = 'ArazzoActivityGuardError';

const failureConverter = new DefaultFailureConverter();

function stepOf(args: unknown[]): string {
  const input = args[0] as { step?: { stepId?: unknown }; stepId?: unknown } | undefined;
  const id = input?.step?.stepId ?? input?.stepId;
  return typeof id === 'string' ? id : '(unknown step)';
}

/** A nextRetryDelay the SDK accepts: a finite number of ms ≥ 0 (strings are left to the SDK's own parser). */
function badRetryDelay(err: unknown): string | undefined {
  if (!(err instanceof ApplicationFailure) || err.nextRetryDelay === undefined || err.nextRetryDelay === null) return undefined;
  const d = err.nextRetryDelay as unknown;
  if (typeof d === 'number' && (!Number.isFinite(d) || d < 0)) return `nextRetryDelay ${String(d)}`;
  return undefined;
}

function guardFailure(step: string, what: string, original?: unknown): ApplicationFailure {
  const cause = original instanceof Error ? `: ${original.message}` : '';
  return ApplicationFailure.nonRetryable(redact(`step ${step}: internal error, ${what}${cause}`.slice(0, 2000)), ACTIVITY_GUARD_ERROR);
}

/** The error itself when Temporal can convert it, else a clear non-retryable failure in its place. */
export function convertibleError(step: string, err: unknown): unknown {
  const bad = badRetryDelay(err);
  if (bad) return guardFailure(step, `the activity asked for an invalid retry delay (${bad}); the attempt was failed instead`, err);
  try {
    failureConverter.errorToFailure(err, defaultPayloadConverter);
    return err;
  } catch (conversion) {
    return guardFailure(step, `the activity's failure could not be converted for Temporal (${(conversion as Error).message})`, err);
  }
}

/** The result itself when it converts to a payload under the size limit, else throws a clear failure. */
export function checkedResult<T>(step: string, result: T): T {
  let size: number;
  try {
    size = defaultPayloadConverter.toPayload(result)?.data?.byteLength ?? 0;
  } catch (err) {
    throw guardFailure(step, `the activity's result could not be converted for Temporal (${(err as Error).message})`);
  }
  if (size > MAX_RESULT_BYTES)
    throw guardFailure(step, `the activity's result is ${size} bytes, over the ${MAX_RESULT_BYTES}-byte payload limit`);
  return result;
}

/** An activity failure with its message, stack, causes and details masked. */
function maskFailure(err: unknown): unknown {
  maskError(err);
  if (err instanceof ApplicationFailure && err.details?.length) (err as { details: unknown[] }).details = maskDeep([...err.details]);
  return err;
}

/** Heartbeat details of this activity are masked before they are sent (they are visible in the Web UI). */
function maskHeartbeats(): void {
  let ctx: Context;
  try {
    ctx = Context.current();
  } catch {
    return; // called outside an activity (unit tests)
  }
  const c = ctx as unknown as { heartbeatFn: (details?: unknown) => void };
  const send = c.heartbeatFn;
  c.heartbeatFn = (details?: unknown) => send(maskDeep(details));
}

/** Wrap an activity function with the guard. */
export function guarded<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  const wrapped = async (...args: A): Promise<R> => {
    maskHeartbeats();
    let result: R;
    try {
      result = await fn(...args);
    } catch (err) {
      // the message and stack of a failure are shown in the Web UI: no credential leaves in them
      throw convertibleError(stepOf(args), maskFailure(err));
    }
    // a response that echoes a resolved secret (an API quoting the key it refused) does not carry it into history
    return checkedResult(stepOf(args), maskDeep(result, maskKnown));
  };
  Object.defineProperty(wrapped, 'name', { value: fn.name });
  return wrapped;
}
