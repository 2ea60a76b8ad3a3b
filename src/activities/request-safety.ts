// Whether a request may be sent again. A non-idempotent request (POST or PATCH, unless its OpenAPI operation says
// `x-idempotent: true`) is sent again only when the engine is sure the provider did not process it:
//   - the connection was refused or the name did not resolve: nothing was sent;
//   - 429 and 529: the provider refused it before doing anything;
//   - a 4xx: no retry at all, the response goes to the step's criteria;
//   - the step declares x-temporal-reconcile and the lookup finds nothing the first attempt made.
// Everything else (a reset or timeout after sending, 408/409/5xx, a worker that died mid-request, an attempt that ran
// past its start-to-close timeout) leaves the outcome unknown: reconciled when the step declares how, else the step
// stops with ArazzoOutcomeUnknown and the workflow waits for an operator (src/workflows/resolve.ts).
//
// Across Temporal attempts the knowledge travels in the heartbeat details: an attempt that fails for a reason that
// proves nothing was sent records {requestSafety: {attempt, sent: false}} before it throws; any other ending of an
// attempt (including death) leaves the next attempt unsure.
import { ApplicationFailure } from '@temporalio/common';
import { activityInfo, heartbeat, log, sleep } from '@temporalio/activity';
import { findReconciled, withMarker } from '../core/reconcile';
import type { ResolvedRequest } from '../core/types';
import type { OperationStep as PlanStep } from '../core/plan';
import { redact } from './secrets';
import { OUTCOME_UNKNOWN } from './types';

/** Transport errors raised before a byte of the request left: connection refused, DNS failure. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME']);
/** Statuses that say the provider turned the request away without processing it: rate limited, overloaded. */
const NOT_PROCESSED_STATUS = new Set([429, 529]);

/** The methods whose request must not be sent twice unless the description marks the operation idempotent. */
export const unsafeMethod = (method: string): boolean => ['POST', 'PATCH'].includes(method.toUpperCase());

/** POST and PATCH are not idempotent unless the description marks the operation so. */
export function isIdempotent(step: Pick<PlanStep, 'operation'>): boolean {
  return step.operation.idempotent === true || !unsafeMethod(step.operation.method);
}

/** What the retryable failure `err` (thrown by exchange) says about the request: surely not processed, or unknown. */
export function failureSaysNotSent(err: unknown): boolean {
  if (!(err instanceof ApplicationFailure)) return false;
  const status = /^ArazzoHttp(\d{3})$/.exec(err.type ?? '')?.[1];
  if (status) return NOT_PROCESSED_STATUS.has(Number(status));
  if (err.type === 'ArazzoTransportError') {
    const code = (err.details?.[0] as { code?: string } | undefined)?.code;
    return code !== undefined && NOT_SENT_CODES.has(code);
  }
  return false;
}

export interface SafetyDetails {
  requestSafety?: { attempt: number; sent: false };
}

/** Did an earlier attempt of this activity possibly send the request? */
export function earlierAttemptMayHaveSent(attempt: number, heartbeatDetails: unknown): boolean {
  if (attempt <= 1) return false;
  const s = (heartbeatDetails as SafetyDetails | undefined)?.requestSafety;
  return !(s && s.attempt === attempt - 1 && s.sent === false);
}

/** The failure that stops a step whose request may or may not have been processed, and says what to do. */
export function outcomeUnknown(a: {
  stepId: string;
  method: string;
  url: string;
  idempotencyKey: string;
  workflowId: string;
  why: string;
  sentAt?: string;
}): ApplicationFailure {
  return ApplicationFailure.nonRetryable(
    redact(
      `step ${a.stepId}: outcome unknown: ${a.method} ${a.url} (Idempotency-Key ${a.idempotencyKey}${a.sentAt ? `, sent at ${a.sentAt}` : ''}) may have been processed by the provider: ${a.why}. ` +
        `It is not sent again, since that could create a second object, and the step declares no x-temporal-reconcile lookup. ` +
        `Check in the provider's console (or its list operation) whether this request created something around that time, then resolve the step: ` +
        `arazzo-temporal resolve ${a.workflowId} --step ${a.stepId} --use-id <the id it created>, or --resend if it created nothing. The run waits until then.`,
    ),
    OUTCOME_UNKNOWN,
    { stepId: a.stepId, method: a.method, url: a.url, idempotencyKey: a.idempotencyKey, why: a.why },
  );
}

interface Answer {
  statusCode: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface UnsafeExchange<R extends Answer> {
  step: PlanStep;
  req: ResolvedRequest;
  idempotencyKey: string;
  /** the operator asked to send it again (resolve --resend): what earlier attempts did does not count */
  resend?: boolean;
  /** send one request (transient failures thrown as retryable ApplicationFailures) */
  exchange: (label: string, req: ResolvedRequest) => Promise<R>;
  /** the reconcile lookup's request, built from the step's context */
  lookupRequest: () => ResolvedRequest;
  label: string;
}

/** The run-unique marker goes into the request body where x-temporal-reconcile says. */
export function markRequest(step: PlanStep, req: ResolvedRequest, marker: string): ResolvedRequest {
  if (!step.reconcile || !req.body) return req;
  return { ...req, body: { ...req.body, value: withMarker(req.body.value, step.reconcile.marker, marker) } };
}

/**
 * Send a non-idempotent request at most once unless sure it was not processed: reconcile first when an earlier
 * attempt may have sent it; after a failure that leaves the outcome unknown, let the next attempt reconcile, or stop
 * with ArazzoOutcomeUnknown when the step declares no lookup.
 */
export async function exchangeUnsafe<R extends Answer>(a: UnsafeExchange<R>): Promise<R & { reconciled?: true }> {
  const info = activityInfo();
  const details = info.heartbeatDetails as ({ transientFailures?: number } & SafetyDetails) | undefined;
  const where = {
    stepId: a.step.stepId,
    method: a.req.method,
    url: a.req.url,
    idempotencyKey: a.idempotencyKey,
    workflowId: info.workflowExecution?.workflowId ?? '<workflowId>',
  };
  if (!a.resend && earlierAttemptMayHaveSent(info.attempt, details)) {
    const why = `attempt ${info.attempt - 1} ended without an answer that proves nothing was done (a lost response, a timeout, a 5xx or a worker that stopped)`;
    const reconcile = a.step.reconcile;
    if (!reconcile) throw outcomeUnknown({ ...where, why });
    const lookup = a.lookupRequest();
    const since = Date.now();
    // look until `settle` has passed: the provider may still be processing the earlier request
    for (let n = 1; ; n++) {
      const res = await a.exchange(`${a.label} · reconcile ${lookup.method} ${lookup.url}`, lookup);
      if (res.statusCode >= 400)
        throw outcomeUnknown({
          ...where,
          why: `${why}; the reconcile lookup ${lookup.method} ${lookup.url} answered HTTP ${res.statusCode}`,
        });
      const found = findReconciled(res.body, reconcile, a.idempotencyKey);
      if (found !== undefined) {
        log.info(`${a.label}: reconciled: the earlier attempt's request was processed; using what it created`, {
          idempotencyKey: a.idempotencyKey,
          lookups: n,
        });
        return { ...res, body: found, reconciled: true };
      }
      // within this attempt: half its start-to-close at most, so that the lookups can finish and the request be sent
      const settle = Math.min(reconcile.settleMs, info.startToCloseTimeoutMs > 0 ? info.startToCloseTimeoutMs / 2 : reconcile.settleMs);
      const left = settle - (Date.now() - since);
      if (left <= 0) break;
      heartbeat({ transientFailures: details?.transientFailures ?? 0 });
      await sleep(Math.min(1000, left));
    }
    log.info(
      `${a.label}: reconciled: nothing carries marker ${a.idempotencyKey} after ${reconcile.settleMs} ms, sending the request again`,
    );
  }
  try {
    return await a.exchange(a.label, a.req);
  } catch (err) {
    if (!(err instanceof ApplicationFailure) || err.nonRetryable) throw err;
    if (failureSaysNotSent(err)) {
      heartbeat({ transientFailures: (details?.transientFailures ?? 0) + 1, requestSafety: { attempt: info.attempt, sent: false } });
      throw err;
    }
    // unknown: the next attempt reconciles (the provider gets the retry delay to commit what it did) or, with
    // nothing to reconcile with, the step stops here
    if (a.step.reconcile) throw err;
    throw outcomeUnknown({ ...where, why: err.message });
  }
}
