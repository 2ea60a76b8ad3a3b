// Anthropic Message Batches: POST/GET /v1/messages/batches, GET/DELETE /v1/messages/batches/{id},
// POST /v1/messages/batches/{id}/cancel, GET /v1/messages/batches/{id}/results.
//
// in_progress ─────────────▶ ended      every request succeeded or errored (params are validated here, not at create)
// in_progress ─▶ canceling ─▶ ended      requests not yet run count as canceled
// in_progress (forced expiry) ─▶ ended   only half the requests run; the rest count as expired
// Per-request markers (outcomes.ts): params.model "sim-expire" → that request expired, "sim-cancel" → canceled (the
// batch then shows cancel_initiated_at: someone else cancelled it), "sim-fail" / simulate_error → errored; so one
// batch can mix all four result types.
// Lifecycle, counts and result lines: notes/providers.md §5 (API reference and guide
// https://platform.claude.com/docs/en/build-with-claude/batch-processing).
//
// request_counts stay {processing: N, rest 0} until the batch ends. Timestamps are RFC 3339.
import { ApiError, badRequest, notFound } from './errors';
import { intQuery, isObject, readJsonObject, type Route } from './http';
import { shuffledOrder, type IdFactory } from './ids';
import { CANCEL_MODEL, EXPIRE_MODEL, FAIL_MODEL, wantsSimulatedError, type SimConfig } from './outcomes';
import { anthropicMessage } from './results';
import { rfc3339 } from './timing';
import { rejectUnknownKeys } from './validate';

// "A Message Batch is limited to either 100,000 Message requests or 256 MB in size, whichever is reached first"
// (guide, batch-processing "Batch limitations"); over either: 413 request_too_large (the 256 MB body limit is
// MAX_JSON_BYTES in http.ts). custom_id: minLength 1, maxLength 64 (API reference, Create a Message Batch,
// https://platform.claude.com/docs/en/api/messages/batches/create), characters [a-zA-Z0-9_-] (the API's error
// "custom_id must match ^[a-zA-Z0-9_-]{1,64}$" as users report it), unique within the batch.
const MAX_REQUESTS = 100_000;
const CUSTOM_ID = /^[a-zA-Z0-9_-]{1,64}$/;
const DAY_MS = 24 * 3600 * 1000;

type ResultType = 'succeeded' | 'errored' | 'canceled' | 'expired';

interface BatchRequest {
  customId: string;
  params: Record<string, unknown>;
  /** Why the request will error when it runs, or null if it succeeds. */
  problem: { type: string; message: string } | null;
}

interface MessageBatchRecord {
  id: string;
  requests: BatchRequest[];
  order: number[];
  expires: boolean;
  inProgressMs: number;
  cancelDelayMs: number;
  status: 'in_progress' | 'canceling' | 'ended';
  createdMs: number;
  cancelMs: number | null;
  endedMs: number | null;
  /** Built when the batch ends: JSONL lines in processing order and the final tallies. */
  results: string[];
  counts: Record<ResultType, number>;
}

export class MessageBatchStore {
  private readonly batches = new Map<string, MessageBatchRecord>();

  constructor(
    private readonly ids: IdFactory,
    private readonly config: SimConfig,
  ) {}

  advance(now: number): void {
    for (const b of this.batches.values()) this.advanceOne(b, now);
  }

  list(): MessageBatch[] {
    return [...this.batches.values()].map((b) => this.toJSON(b));
  }

  routes(): Route[] {
    const one = /^\/v1\/messages\/batches\/(?<id>[^/]+)/;
    const sub = (rest: string) => new RegExp(one.source + rest + '$');
    return [
      {
        method: 'POST',
        pattern: /^\/v1\/messages\/batches$/,
        create: true,
        handle: async (req, now) => ({ json: this.create(await readJsonObject(req), now) }),
      },
      { method: 'GET', pattern: /^\/v1\/messages\/batches$/, handle: (req) => ({ json: this.page(req.query) }) },
      { method: 'GET', pattern: sub(''), handle: (req) => ({ json: this.toJSON(this.get(req.params.id)) }) },
      { method: 'DELETE', pattern: sub(''), handle: (req) => ({ json: this.delete(req.params.id) }) },
      { method: 'POST', pattern: sub('/cancel'), handle: (req, now) => ({ json: this.cancel(req.params.id, now) }) },
      {
        method: 'GET',
        pattern: sub('/results'),
        handle: (req) => {
          const b = this.get(req.params.id);
          if (b.status !== 'ended') {
            throw badRequest(`Message batch ${b.id} has not ended yet; results are available once processing_status is 'ended'.`);
          }
          return { bytes: Buffer.from(b.results.join('\n') + '\n'), contentType: 'application/x-jsonl' };
        },
      },
    ];
  }

  private get(id: string): MessageBatchRecord {
    const b = this.batches.get(id);
    if (!b) throw notFound(`No message batch found with id '${id}'.`);
    return b;
  }

  private create(body: Record<string, unknown>, now: number): MessageBatch {
    rejectUnknownKeys('anthropic', body, ['requests']);
    const { requests } = body;
    if (!Array.isArray(requests)) throw badRequest('requests: Field required (a list of {custom_id, params}).');
    if (requests.length === 0) throw badRequest('requests: List should have at least 1 item after validation, not 0');
    if (requests.length > MAX_REQUESTS) throw new ApiError(413, `requests: a batch may contain at most ${MAX_REQUESTS} requests.`);
    const seen = new Set<string>();
    const parsed = requests.map((item, i): BatchRequest => {
      if (!isObject(item)) throw badRequest(`requests.${i}: Input should be an object`);
      const { custom_id: customId, params } = item;
      if (typeof customId !== 'string' || customId === '') throw badRequest(`requests.${i}.custom_id: Field required`);
      if (!CUSTOM_ID.test(customId)) throw badRequest(`requests.${i}.custom_id: String should match pattern '${CUSTOM_ID.source}'`);
      if (!isObject(params)) throw badRequest(`requests.${i}.params: Field required`);
      if (seen.has(customId))
        throw badRequest(`requests.${i}.custom_id: '${customId}' is used more than once; custom_id must be unique within the batch.`);
      seen.add(customId);
      return { customId, params, problem: paramsProblem(params) };
    });
    const id = this.ids.next('msgbatch_01');
    const b: MessageBatchRecord = {
      id,
      requests: parsed,
      order: shuffledOrder(parsed.length, id),
      expires: this.config.outcome.messageBatch === 'expired',
      inProgressMs: this.config.timing.messageBatchInProgressMs,
      cancelDelayMs: this.config.timing.messageBatchCancelingMs,
      status: 'in_progress',
      createdMs: now,
      cancelMs: null,
      endedMs: null,
      results: [],
      counts: { succeeded: 0, errored: 0, canceled: 0, expired: 0 },
    };
    this.batches.set(id, b);
    return this.toJSON(b);
  }

  private cancel(id: string, now: number): MessageBatch {
    const b = this.get(id);
    if (b.status === 'in_progress') {
      b.status = 'canceling';
      b.cancelMs = now;
      b.cancelDelayMs = this.config.timing.messageBatchCancelingMs;
      this.advanceOne(b, now);
    } else if (b.status === 'ended') {
      // An ended batch cannot be canceled: 409 (issue 8; the exact status and message are unverified, notes §5).
      throw new ApiError(409, `Message batch ${id} has already ended and cannot be canceled.`, { type: 'invalid_request_error' });
    }
    return this.toJSON(b);
  }

  private delete(id: string): unknown {
    const b = this.get(id);
    if (b.status !== 'ended') {
      throw badRequest(`Message batch ${id} is still being processed; cancel it and wait for it to end before deleting it.`);
    }
    this.batches.delete(id);
    return { id, type: 'message_batch_deleted' };
  }

  /** Newest first; `after_id` pages towards older batches, `before_id` towards newer ones. */
  private page(query: URLSearchParams) {
    const items = this.list().reverse();
    const limit = intQuery(query, 'limit', 20, 1, 1000);
    const position = (param: string) => {
      const id = query.get(param);
      if (id === null) return null;
      const i = items.findIndex((b) => b.id === id);
      if (i < 0) throw badRequest(`${param}: no message batch with id '${id}'.`);
      return i;
    };
    const before = position('before_id');
    const after = position('after_id');
    let start = after === null ? 0 : after + 1;
    let end = start + limit;
    if (before !== null) {
      end = before;
      start = Math.max(after === null ? 0 : after + 1, before - limit);
    }
    const data = items.slice(start, end);
    const hasMore = before !== null ? start > (after === null ? 0 : after + 1) : end < items.length;
    return { data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: hasMore };
  }

  private advanceOne(b: MessageBatchRecord, now: number): void {
    const endAt =
      b.status === 'in_progress'
        ? b.createdMs + b.inProgressMs
        : b.status === 'canceling'
          ? (b.cancelMs as number) + b.cancelDelayMs
          : Infinity;
    if (endAt <= now) this.end(b, endAt);
  }

  private toJSON(b: MessageBatchRecord): MessageBatch {
    return messageBatchJSON(b, `${this.config.baseUrl}/v1/messages/batches/${b.id}/results`);
  }

  /** Runs the requests that had time to run, and writes every result line. */
  private end(b: MessageBatchRecord, at: number): void {
    const runUntil = Math.min(at, b.cancelMs ?? Infinity);
    const fraction = b.inProgressMs === 0 ? 1 : Math.min(1, (runUntil - b.createdMs) / b.inProgressMs);
    const processed = Math.floor(fraction * (b.expires ? Math.floor(b.requests.length / 2) : b.requests.length));
    const leftover: ResultType = b.cancelMs !== null ? 'canceled' : 'expired';
    if (b.cancelMs === null && b.requests.some((r) => r.params.model === CANCEL_MODEL)) {
      b.cancelMs = b.createdMs + Math.floor((at - b.createdMs) / 2); // someone else cancelled the batch
    }
    b.results = b.order.map((index, position) => {
      const r = b.requests[index];
      let result: { type: ResultType; [k: string]: unknown };
      if (position >= processed) result = { type: leftover };
      else if (r.params.model === EXPIRE_MODEL) result = { type: 'expired' };
      else if (r.params.model === CANCEL_MODEL) result = { type: 'canceled' };
      else if (r.problem) result = { type: 'errored', error: { type: 'error', error: r.problem, request_id: this.ids.next('req_') } };
      else result = { type: 'succeeded', message: anthropicMessage(r.params, this.ids) };
      b.counts[result.type] += 1;
      return JSON.stringify({ custom_id: r.customId, result });
    });
    b.status = 'ended';
    b.endedMs = at;
  }
}

export type MessageBatch = ReturnType<typeof messageBatchJSON>;

function messageBatchJSON(b: MessageBatchRecord, resultsUrl: string) {
  const ended = b.status === 'ended';
  return {
    id: b.id,
    type: 'message_batch' as const,
    processing_status: b.status,
    request_counts: ended
      ? { processing: 0, ...b.counts }
      : { processing: b.requests.length, succeeded: 0, errored: 0, canceled: 0, expired: 0 },
    ended_at: b.endedMs === null ? null : rfc3339(b.endedMs),
    created_at: rfc3339(b.createdMs),
    expires_at: rfc3339(b.createdMs + DAY_MS),
    archived_at: null,
    cancel_initiated_at: b.cancelMs === null ? null : rfc3339(b.cancelMs),
    results_url: ended ? resultsUrl : null,
  };
}

/** What the Messages API would reject in these params when the request runs (null: it succeeds). */
function paramsProblem(params: Record<string, unknown>): BatchRequest['problem'] {
  const invalid = (message: string) => ({ type: 'invalid_request_error', message });
  if (typeof params.model !== 'string') return invalid('model: Field required');
  if (params.model === FAIL_MODEL) return { type: 'not_found_error', message: `model: ${FAIL_MODEL}` };
  if (!Number.isInteger(params.max_tokens) || (params.max_tokens as number) < 1)
    return invalid('max_tokens: Field required (an integer ≥ 1)');
  if (!Array.isArray(params.messages) || params.messages.length === 0) return invalid('messages: Field required (at least one message)');
  if (params.stream === true) return invalid('stream: streaming is not supported in message batches');
  if (wantsSimulatedError(params)) return invalid('simulate_error: Extra inputs are not permitted (simulated error)');
  return null;
}
