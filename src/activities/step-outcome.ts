// What a step's activity returns: the judged response as a StepOutcome, scrubbed of resolved secrets, with outputs
// too large for history moved to the blob store.
import { evaluateStep, observedValues, type StepResponse } from '../core/evaluate-step';
import type { evaluateStatus } from '../core/batch-status';
import { isBlobRef, type BlobRef, type ExpressionContext } from '../core/types';
import type { OperationStep } from '../core/plan';
import { blobThresholdBytes, putValue } from '../load/blob-store';
import { redact } from './secrets';
import { retryHint } from './http-retry-hints';
import type { RunStepInput, StepOutcome } from './types';

export interface Exchanged extends StepResponse {
  /** set when the body went to the blob store */
  blob?: BlobRef;
}

/** The provider's own words for a failed response (`code: message`), at most 500 characters. */
export function providerMessage(body: unknown): string | undefined {
  if (typeof body === 'string') return body.slice(0, 500);
  if (!body || typeof body !== 'object') return undefined;
  const b = body as Record<string, any>;
  const msg = b.error?.message ?? b.message ?? (typeof b.error === 'string' ? b.error : undefined);
  const code = b.error?.code ?? b.error?.type ?? b.type;
  return msg ? `${code && typeof code === 'string' ? `${code}: ` : ''}${String(msg).slice(0, 500)}` : undefined;
}

/** Outputs too large for history go to the blob store; the whole stored body is referenced as it is. */
async function externalize(outputs: Record<string, unknown>, res: Exchanged): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(outputs)) {
    if (res.blob && value === res.body) out[name] = res.blob;
    else if (value === undefined || isBlobRef(value)) out[name] = value;
    else {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      out[name] =
        Buffer.byteLength(text) > blobThresholdBytes()
          ? await putValue(text, typeof value === 'string' ? 'text/plain' : 'application/json')
          : value;
    }
  }
  return out;
}

interface Judged {
  step: OperationStep;
  input: RunStepInput;
  res: Exchanged;
  rctx: ExpressionContext;
  evaluation: ReturnType<typeof evaluateStep>;
  normalized: ReturnType<typeof evaluateStatus> | undefined;
  started: number;
  attempt: number;
}

export async function stepOutcome(o: Judged): Promise<StepOutcome> {
  const { step, input, res, rctx, evaluation, normalized, started, attempt } = o;
  const action = evaluation.action;
  const outcome: StepOutcome = {
    stepId: step.stepId,
    statusCode: res.statusCode,
    success: evaluation.success,
    outputs: await externalize(evaluation.outputs, res),
    action,
    failedCriteria: evaluation.failedCriteria,
    polls: input.pollInActivity ? attempt - 1 : 0,
    durationMs: Date.now() - started,
  };
  if (normalized) outcome.normalizedStatus = normalized;
  if (!action) outcome.observed = observedValues(step, rctx);
  if (evaluation.nullOutputs) outcome.nullOutputs = evaluation.nullOutputs;
  // the brief of the response goes into messages and history: scrubbed of resolved secret values like errors are
  if (evaluation.facts) outcome.facts = Object.fromEntries(Object.entries(evaluation.facts).map(([k, v]) => [k, redact(v)]));
  if (res.statusCode >= 400) outcome.errorMessage = redact(providerMessage(res.body) ?? `HTTP ${res.statusCode}`);
  // a retry action waits at least this long (the workflow takes the longer of it and the action's retryAfter)
  const hint = retryHint(res.statusCode, res.headers).delayMs;
  if (hint !== undefined) outcome.retryAfterMs = hint;
  return outcome;
}
