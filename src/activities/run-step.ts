// The step activity: build the request, resolve secrets, send it with axios, judge the response with
// the pure core, and return only what the workflow needs. Transient failures (connection errors,
// 408/409/429/5xx) are thrown so Temporal's retry policy retries them, never earlier than the response's
// retry hints (http-retry-hints.ts) — unless the step's own onFailure has a retry action whose criteria match
// the response: then the document decides (its retryAfter, at least the hint; its retryLimit). A step
// that loops on itself polls here, through retries, so its polls never reach workflow history. Every request
// passes the outbound policy (outbound-policy.ts) first, and again at connect time and on each redirect.
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { activityInfo, cancellationSignal, log } from '@temporalio/activity';
import { heartbeatWith, previousDetails, pollReport } from './heartbeat';
import axios, { type AxiosResponse } from 'axios';
import type { Readable } from 'node:stream';
import { buildRequest } from '../core/request';
import { pollDelayMs } from '../core/poll-policy';
import { evaluateStep, observedValues, responseContext } from '../core/evaluate-step';
import { evaluationErrorType } from '../core/expr';
import { evaluateStatus } from '../core/batch-status';
import type { ExpressionContext, ResolvedRequest } from '../core/types';
import { blobStore, blobThresholdBytes } from '../load/blob-store';
import { readBody } from './read-body';
import { encodeBody } from './body';
import { redact, resolveSecrets } from './secrets';
import { retryHint } from './http-retry-hints';
import { OUTBOUND_REFUSED, OutboundPolicy, refusalOf } from './outbound-policy';
import { documentRetries } from './http-document-retry';
import { stepLabel, type OperationStep } from '../core/plan';
import { upgradeStep } from '../core/plan-upgrade';
import { exchangeUnsafe, isIdempotent, markRequest, unsafeMethod } from './request-safety';
import { providerMessage, stepOutcome, type Exchanged } from './step-outcome';
import { noteResponseStatus } from './step-span';
import { POLL_PENDING, type CancelInput, type CancelOutcome, type RunStepInput, type StepOutcome } from './types';

const RETRYABLE_STATUS = new Set([408, 409, 429, 500, 502, 503, 504, 529]);
const REQUEST_TIMEOUT_MS = requestTimeoutMs(process.env.ARAZZO_HTTP_TIMEOUT_MS);

/** ARAZZO_HTTP_TIMEOUT_MS, checked where it is read: a positive number of ms (default 2 min). */
export function requestTimeoutMs(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return 120_000;
  const ms = Number(value);
  if (!Number.isFinite(ms) || ms <= 0) throw new Error(`ARAZZO_HTTP_TIMEOUT_MS must be a positive number of milliseconds (got "${value}")`);
  return ms;
}

/**
 * Delay before retrying a transient failure: the longest retry hint of the response when it asks for a wait (never
 * earlier), else backoff with jitter. A hint of 0 ("now") gets the backoff: Temporal does not retry an activity
 * whose nextRetryDelay is 0, and a server answering `Retry-After: 0` forever must not be hammered.
 */
export function retryDelayMs(attempt: number, headers: Record<string, string> = {}, random = Math.random, status = 0): number {
  const fromServer = retryHint(status, headers).delayMs;
  if (fromServer !== undefined && fromServer > 0) return fromServer;
  const base = Math.min(1000 * 2 ** Math.max(0, attempt - 1), 60_000);
  return Math.round(base * (1 - 0.25 * random()));
}

/** Permanent although 429: the account is out of quota or over its spend limit. */
function isPermanent429(body: unknown): boolean {
  const text = JSON.stringify(body ?? '');
  return /insufficient_quota|enforced_spend_limit_reached|billing_error/.test(text);
}

/** The policy of a step's requests: the servers of its plan (its operation's, the source descriptions'). */
function policyFor(operation: { serverUrl: string }, context: RunStepInput['context']): OutboundPolicy {
  return OutboundPolicy.of([operation.serverUrl, ...Object.values(context.sourceDescriptions ?? {}).map((s) => s.url)]);
}

function refuse(label: string, why: string): never {
  fail(OUTBOUND_REFUSED, `${label}: request refused by the outbound policy, not sent: ${why}`);
}

async function send(
  req: ResolvedRequest,
  idempotencyKey: string,
  policy: OutboundPolicy,
  onRefused: (why: string) => void,
): Promise<AxiosResponse<Readable>> {
  const resolved = resolveSecrets(req);
  const headers: Record<string, string> = { ...(resolved.headers as Record<string, string>) };
  if (!['GET', 'HEAD'].includes(req.method) && !Object.keys(headers).some((h) => h.toLowerCase() === 'idempotency-key'))
    headers['Idempotency-Key'] = idempotencyKey;
  const cookies = Object.entries(resolved.cookies as Record<string, string>);
  if (cookies.length) headers.Cookie = cookies.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; ');
  let data: unknown;
  if (resolved.body) {
    const encoded = encodeBody(resolved.body);
    data = encoded.data;
    if (encoded.contentType) headers['Content-Type'] = encoded.contentType;
  }
  const follow = req.method === 'GET' || req.method === 'HEAD';
  return axios.request<Readable>({
    method: req.method,
    url: req.url,
    // connections resolve names through the policy's lookup; no proxy from the environment stands in between
    ...policy.agents(!unsafeMethod(req.method)),
    proxy: false,
    // redirects: GET and HEAD follow up to 5, each target checked; other methods follow none
    maxRedirects: follow ? 5 : 0,
    beforeRedirect: (options: Record<string, unknown>) => {
      const target = String(
        options.href ?? `${options.protocol}//${options.hostname}${options.port ? `:${options.port}` : ''}${options.path ?? ''}`,
      );
      const why = policy.urlProblem(target);
      if (why) {
        onRefused(`redirect to ${target}: ${why}`);
        throw new Error(`redirect refused: ${why}`);
      }
    },
    params: resolved.query,
    headers,
    data,
    responseType: 'stream',
    validateStatus: () => true,
    timeout: REQUEST_TIMEOUT_MS,
    maxContentLength: Infinity,
    maxBodyLength: Infinity,
    signal: cancellationSignal(),
    transformResponse: (x) => x,
  });
}

function lowerHeaders(res: AxiosResponse): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers ?? {}))
    if (v !== undefined && v !== null) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  return out;
}

/** Send a request, turning transport errors and transient statuses into retryable failures. */
async function exchange(
  label: string,
  req: ResolvedRequest,
  idempotencyKey: string,
  policy: OutboundPolicy,
  documentRetries?: (res: Exchanged) => boolean,
): Promise<Exchanged> {
  const problem = policy.urlProblem(req.url);
  if (problem) refuse(label, problem);
  let refused: string | undefined;
  // Backoff grows with the transient failures in a row, not with the attempt number: a polling step's
  // attempts are mostly polls. The count travels to the next attempt in the heartbeat details.
  const failures = transientFailuresSoFar();
  const attempt = failures + 1;
  let res: AxiosResponse<Readable>;
  let read: Awaited<ReturnType<typeof readBody>>;
  // Heartbeats while the request and its body are in flight let the server notice a dead worker within
  // the heartbeat timeout instead of the whole attempt timeout.
  const beat = setInterval(() => heartbeatWith({ transientFailures: failures }), 2000);
  try {
    res = await send(req, idempotencyKey, policy, (why) => (refused ??= why));
    read = await readBody(res.data, String(res.headers['content-type'] ?? ''), blobThresholdBytes(), blobStore);
  } catch (err) {
    if (err instanceof ApplicationFailure) throw err;
    refused ??= refusalOf(err);
    if (refused) refuse(label, refused);
    const e = err as { code?: string; message?: string };
    if (axios.isCancel(err) || e.code === 'ERR_CANCELED') throw err;
    const message = redact(`${label}: ${e.code ?? 'transport error'}: ${e.message ?? String(err)}`);
    heartbeatWith({ transientFailures: attempt, lastError: message });
    throw ApplicationFailure.create({
      message,
      type: 'ArazzoTransportError',
      details: [{ code: e.code }],
      nextRetryDelay: retryDelayMs(attempt),
    });
  } finally {
    clearInterval(beat);
  }
  noteResponseStatus(res.status);
  const headers = lowerHeaders(res);
  const body = read.body;
  const hint = retryHint(res.status, headers);
  const transient = hint.retry || (RETRYABLE_STATUS.has(res.status) && !hint.final && !(res.status === 429 && isPermanent429(body)));
  const exchanged: Exchanged = { statusCode: res.status, headers, body, blob: read.blob };
  // the document's own retry action decides where it matches; transport retries only where it says nothing
  if (transient && !documentRetries?.(exchanged)) {
    const delay = retryDelayMs(attempt, headers, Math.random, res.status);
    const message = redact(`${label}: HTTP ${res.status}${providerMessage(body) ? ` — ${providerMessage(body)}` : ''}`);
    heartbeatWith({ transientFailures: attempt, lastError: message });
    log.warn(`${label}: HTTP ${res.status}, retrying in ${delay} ms`, { status: res.status });
    throw ApplicationFailure.create({
      message,
      type: `ArazzoHttp${res.status}`,
      nextRetryDelay: delay,
    });
  }
  if (failures > 0) heartbeatWith({ transientFailures: 0 });
  return exchanged;
}

/** Transient failures in a row before this attempt (heartbeat details of the previous attempt). */
function transientFailuresSoFar(): number {
  const n: unknown = previousDetails().transientFailures;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : 0;
}

function fail(type: string, message: string): never {
  throw ApplicationFailure.nonRetryable(redact(message), type);
}

function buildOrFail(stepId: string, build: () => ResolvedRequest): ResolvedRequest {
  try {
    return build();
  } catch (err) {
    fail('ArazzoRequestError', `step ${stepId}: cannot build the request: ${(err as Error).message}`);
  }
}

/** An evaluation of the step's response; an expression or criterion that cannot be evaluated fails the step, naming it. */
function evaluateOrFail<T>(stepId: string, evaluate: () => T): T {
  try {
    return evaluate();
  } catch (err) {
    fail(evaluationErrorType(err), `step ${stepId}: ${(err as Error).message}`);
  }
}

/** Run one step: one HTTP exchange per attempt, evaluated in place. */
export async function runStep(input: RunStepInput): Promise<StepOutcome> {
  const started = Date.now();
  const step = upgradeStep(input.step) as OperationStep;
  const info = activityInfo();
  const label = stepLabel(step);
  const ctx: ExpressionContext = { ...input.context, steps: input.context.steps ?? {} };
  const req = buildOrFail(step.stepId, () => buildRequest(step, ctx));
  // a create is sent again only when sure the provider did not process it (request-safety.ts)
  const policy = policyFor(step.operation, input.context);
  const retries = (r: Exchanged) => documentRetries(step, responseContext(ctx, req, r));
  const res = isIdempotent(step)
    ? await exchange(label, req, input.idempotencyKey, policy, retries)
    : await exchangeUnsafe({
        step,
        req: markRequest(step, req, input.idempotencyKey),
        idempotencyKey: input.idempotencyKey,
        resend: input.resend,
        label,
        exchange: (l, r) => exchange(l, r, input.idempotencyKey, policy, r.method === 'GET' ? undefined : retries),
        lookupRequest: () =>
          buildOrFail(step.stepId, () => buildRequest({ ...step, ...step.reconcile!.lookup, requestBody: undefined }, ctx)),
      });
  const rctx = responseContext(ctx, req, res);
  // one line per exchange; the SDK adds workflowId and attempt (JSON under `worker --log-format json`)
  log.info(`${label}: HTTP ${res.statusCode}`, {
    step: step.stepId,
    method: step.operation.method,
    path: step.operation.path,
    status: res.statusCode,
  });
  const evaluation = evaluateOrFail(step.stepId, () => evaluateStep(step, rctx, input.exhaustedRetries));
  const action = evaluation.action;
  const normalized = step.status
    ? evaluateOrFail(step.stepId, () => evaluateStatus(step.status!, rctx, step.stepId, step.expressions))
    : undefined;
  if (input.pollInActivity && action?.type === 'goto' && action.stepId === step.stepId) {
    const delay = pollDelayMs(step.poll, info.attempt);
    const report = pollReport(step.stepId, info.attempt, normalized, () => observedValues(step, rctx), delay);
    const pending = ApplicationFailure.create({
      message: `${label}: ${action.name} — polling again in ${delay} ms (poll ${info.attempt})`,
      type: POLL_PENDING,
      category: ApplicationFailureCategory.BENIGN,
      nextRetryDelay: delay,
      // describe() shows it as the pending activity's last failure until the next attempt ends (status-client.ts)
      details: [report],
    });
    // a signal, not an error: no stack trace (formatting one, source-mapped, cost more than the rest of the poll)
    pending.stack = `${pending.name}: ${pending.message}`;
    throw pending;
  }
  return stepOutcome({ step, input, res, rctx, evaluation, normalized, started, attempt: info.attempt });
}

/** Call the operation that cancels what a step created (x-temporal-cancel), during workflow cancellation. */
export async function cancelCreated(input: CancelInput): Promise<CancelOutcome> {
  const label = `${input.step.stepId} · ${input.step.operation.method} ${input.step.operation.path}`;
  const ctx: ExpressionContext = { ...input.context, steps: input.context.steps ?? {} };
  const req = buildOrFail(input.step.stepId, () => buildRequest({ ...input.step, requestBody: undefined }, ctx));
  const res = await exchange(label, req, input.idempotencyKey, policyFor(input.step.operation, input.context));
  log.info(`${label}: HTTP ${res.statusCode}`);
  return { stepId: input.stepId, statusCode: res.statusCode, body: res.statusCode < 400 ? res.body : providerMessage(res.body) };
}
