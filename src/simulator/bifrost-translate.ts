// What Bifrost makes of its providers' answers (../shared/notes/bifrost.md §3, §4; core/schemas/batch.go and
// core/providers/{openai,anthropic}/batch.go at upstream commit 5978108): one batch shape with a normalized `status`,
// `request_counts` always present, unix-second timestamps, `extra_fields` on every response, and results as ONE JSON
// object `{batch_id, results[]}` instead of JSONL. Go's omitempty is imitated: null members are left out.
import type { BifrostProvider, RequestType } from './bifrost-errors';
import { isObject } from './http';

type Json = Record<string, unknown>;

/**
 * Bifrost's BatchStatus from a provider's own word. OpenAI: identity (validating, failed, in_progress, finalizing,
 * completed, expired, cancelling, cancelled). Anthropic processing_status: in_progress → in_progress, canceling →
 * cancelling, ended → ended (never completed or cancelled: the counts say how it ended). Unsettled point (notes §4):
 * the docs' enum spells `canceled`, the code's constant `cancelled`; this gateway sends what the pinned commit's code
 * sends, `cancelled`. Unknown values pass through unchanged (`BatchStatus(native)`).
 */
export function bifrostStatus(provider: BifrostProvider, native: string): string {
  if (provider === 'anthropic')
    return (({ in_progress: 'in_progress', canceling: 'cancelling', ended: 'ended' } as Json)[native] as string) ?? native;
  return native;
}

const compact = (o: Json): Json => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined));
const seconds = (rfc3339: unknown) => (typeof rfc3339 === 'string' ? Math.floor(Date.parse(rfc3339) / 1000) : undefined);
const num = (v: unknown) => (typeof v === 'number' ? v : 0);

/** `extra_fields` of a response: request type, provider, latency in ms, chunk_index 0, the model asked for. */
export function extraFields(requestType: RequestType, provider: BifrostProvider, startedMs: number, model?: string): Json {
  return compact({ request_type: requestType, provider, model_requested: model, latency: Date.now() - startedMs, chunk_index: 0 });
}

/**
 * request_counts: a non-pointer struct, so total/completed/failed are always there; the others only when not 0.
 * Anthropic (notes §4): total = processing + succeeded + errored + canceled + expired, completed = succeeded,
 * failed = errored, pending = processing, succeeded/expired/canceled copied. `short`: a cancel response, which sets only
 * total, completed and failed.
 */
export function requestCounts(provider: BifrostProvider, counts: unknown, short = false): Json {
  const c = isObject(counts) ? counts : {};
  if (provider === 'openai') return { total: num(c.total), completed: num(c.completed), failed: num(c.failed) };
  const total = num(c.processing) + num(c.succeeded) + num(c.errored) + num(c.canceled) + num(c.expired);
  const main = { total, completed: num(c.succeeded), failed: num(c.errored) };
  if (short) return main;
  const more = { succeeded: num(c.succeeded), expired: num(c.expired), canceled: num(c.canceled), pending: num(c.processing) };
  return { ...main, ...Object.fromEntries(Object.entries(more).filter(([, v]) => v !== 0)) };
}

const OPENAI_FIELDS = ['id', 'object', 'endpoint', 'input_file_id', 'completion_window', 'metadata', 'created_at', 'expires_at'];
const OPENAI_RETRIEVE_FIELDS = [
  'in_progress_at',
  'finalizing_at',
  'completed_at',
  'failed_at',
  'expired_at',
  'cancelling_at',
  'cancelled_at',
];

/** A provider's batch object in Bifrost's shape (create, retrieve, list items; `cancel` for the cancel response). */
export function bifrostBatch(provider: BifrostProvider, native: Json, kind: 'create' | 'retrieve' | 'cancel'): Json {
  const status = bifrostStatus(provider, String(native[provider === 'openai' ? 'status' : 'processing_status']));
  const counts = requestCounts(provider, native.request_counts, kind === 'cancel' && provider === 'anthropic');
  if (provider === 'openai') {
    const pick = (keys: string[]) => Object.fromEntries(keys.map((k) => [k, native[k]]));
    if (kind === 'cancel')
      return compact({ id: native.id, object: native.object, status, request_counts: counts, ...pick(OPENAI_RETRIEVE_FIELDS.slice(-2)) });
    const files = { output_file_id: native.output_file_id, error_file_id: native.error_file_id };
    const retrieve = kind === 'retrieve' ? { ...pick(OPENAI_RETRIEVE_FIELDS), errors: native.errors } : {};
    return compact({ ...pick(OPENAI_FIELDS), status, request_counts: counts, ...files, ...retrieve });
  }
  // Anthropic: type message_batch → object batch; ended_at → completed_at, cancel_initiated_at → cancelling_at; RFC 3339
  // → unix seconds; the raw processing_status and results_url passed through (create and retrieve)
  const cancelling = seconds(native.cancel_initiated_at);
  if (kind === 'cancel') return compact({ id: native.id, object: 'batch', status, request_counts: counts, cancelling_at: cancelling });
  return compact({
    id: native.id,
    object: 'batch',
    status,
    request_counts: counts,
    created_at: seconds(native.created_at),
    expires_at: seconds(native.expires_at),
    ...(kind === 'retrieve' && {
      completed_at: seconds(native.ended_at),
      cancelling_at: cancelling,
      archived_at: seconds(native.archived_at),
    }),
    processing_status: native.processing_status,
    results_url: native.results_url,
  });
}

export interface Results {
  results: Json[];
  parseErrors: string[];
}

/** JSONL lines as objects; a line that is not one goes to `parse_errors` (extra_fields.parse_errors). */
function eachLine(jsonl: string, convert: (line: Json) => Json): Results {
  const out: Results = { results: [], parseErrors: [] };
  jsonl.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      const parsed: unknown = JSON.parse(line);
      if (!isObject(parsed)) throw new Error('not a JSON object');
      out.results.push(convert(parsed));
    } catch (err) {
      out.parseErrors.push(`line ${i + 1}: ${(err as Error).message}`);
    }
  });
  return out;
}

/** OpenAI output file lines unmarshalled into BatchResultItem {custom_id, response{status_code, request_id, body}, error} (OpenAI `id` dropped). */
export function openaiResults(jsonl: string): Results {
  return eachLine(jsonl, (l) => compact({ custom_id: l.custom_id, response: l.response, error: l.error }));
}

/** Anthropic result lines: result {type (succeeded|errored|expired|canceled), message}; errored → error {code: <error.type>, message}. */
export function anthropicResults(jsonl: string): Results {
  return eachLine(jsonl, (l) => {
    const r = isObject(l.result) ? l.result : {};
    const envelope = isObject(r.error) ? r.error : {};
    // the errored result carries the API's error envelope {type: "error", error: {type, message}}: its inner error
    const inner = isObject(envelope.error) ? envelope.error : envelope;
    const error = r.type === 'errored' ? { code: inner.type, message: inner.message } : undefined;
    return compact({ custom_id: l.custom_id, result: compact({ type: r.type, message: r.message }), error });
  });
}
