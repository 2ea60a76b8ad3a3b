// OpenAI Batches: POST/GET /v1/batches, GET /v1/batches/{id}, POST /v1/batches/{id}/cancel.
//
// validating ─(invalid input or forced failure)─▶ failed                  errors.data filled, no files
// validating ─▶ in_progress ─▶ finalizing ─▶ completed                     output (+ error) file
// in_progress ─(forced expiry: only half the requests run)─▶ expired       partial output + batch_expired lines
// validating | in_progress ─▶ cancelling ─▶ cancelled                      partial output + batch_cancelled lines
// in_progress ─(forced: someone else cancels halfway)─▶ cancelling ─▶ cancelled
// Lifecycle and line formats: notes/providers.md §3 (the Batch object and guide https://platform.openai.com/docs/guides/batch).
//
// With `outcome.batchPollsToComplete: N` a batch ignores the clock and moves on retrieves instead: retrieves
// 1…N−1 see it in_progress, retrieve N ends it (and `outcome.batchOutputBytes` pads its output file).
//
// Requests are processed in a shuffled order at an even pace through in_progress, so request_counts move
// live and output files list lines in that order. Invariant at the end: completed + failed = total, where
// failed counts every line of the error file.
import { badRequest, notFound } from './errors';
import type { FileStore } from './openai-files';
import { intQuery, isObject, pageAfter, readJsonObject, type Route } from './http';
import { shuffledOrder, type IdFactory } from './ids';
import { CANCEL_MODEL, EXPIRE_MODEL, FAIL_MODEL, metadataOutcome, wantsSimulatedError, type SimConfig } from './outcomes';
import { openaiResponseBody } from './results';
import { unixSeconds } from './timing';
import { oneOf, rejectUnknownKeys, validateMetadata } from './validate';

const BATCH_ENDPOINTS = [
  '/v1/responses',
  '/v1/chat/completions',
  '/v1/embeddings',
  '/v1/completions',
  '/v1/moderations',
  '/v1/images/generations',
  '/v1/images/edits',
  '/v1/videos',
] as const;

// ≤ 50,000 requests per input file (createBatch `input_file_id` description, openai-openapi-master.yml).
const MAX_REQUESTS = 50_000;
const DAY_S = 24 * 3600;
const THIRTY_DAYS_S = 30 * DAY_S;

type BatchStatus = 'validating' | 'failed' | 'in_progress' | 'finalizing' | 'completed' | 'expired' | 'cancelling' | 'cancelled';
type Stamp = Exclude<BatchStatus, 'validating'>;

interface BatchLine {
  customId: string;
  body: Record<string, unknown>;
  fails: boolean;
}

interface LineError {
  code: string;
  message: string;
  param: string | null;
  line: number | null;
}

interface BatchRecord {
  id: string;
  endpoint: string;
  model: string | null;
  inputFileId: string;
  metadata: Record<string, string> | null;
  outputExpiresAfterS: number;
  lines: BatchLine[];
  /** Processing order: indices into `lines`. */
  order: number[];
  errors: LineError[];
  outcome: 'completed' | 'failed' | 'expired' | 'cancelled';
  schedule: { validating: number; inProgress: number; finalizing: number };
  cancelDelayMs: number;
  /** outcome.batchPollsToComplete when the batch was created: ends on this retrieve instead of by the clock */
  pollsToComplete: number | null;
  /** retrieves (GET /v1/batches/{id}) while the batch had not ended */
  retrieves: number;
  /** outcome.batchOutputBytes when the batch was created: the output file is padded to this size */
  outputBytes: number | null;
  status: BatchStatus;
  createdMs: number;
  times: Partial<Record<Stamp, number>>;
  outputFileId: string | null;
  errorFileId: string | null;
}

export class BatchStore {
  private readonly batches = new Map<string, BatchRecord>();

  constructor(
    private readonly ids: IdFactory,
    private readonly files: FileStore,
    private readonly config: SimConfig,
  ) {}

  advance(now: number): void {
    for (const b of this.batches.values()) this.advanceOne(b, now);
  }

  list(now: number): OpenAIBatch[] {
    return [...this.batches.values()].map((b) => batchJSON(b, now));
  }

  routes(): Route[] {
    return [
      { method: 'POST', pattern: /^\/v1\/batches$/, create: true, handle: async (req, now) => ({ json: this.create(await readJsonObject(req), now) }) },
      {
        method: 'GET',
        pattern: /^\/v1\/batches$/,
        handle: (req, now) => {
          const limit = intQuery(req.query, 'limit', 20, 1, 100);
          const page = pageAfter(this.list(now).reverse(), req.query.get('after'), limit);
          return {
            json: { object: 'list', data: page.data, first_id: page.data[0]?.id ?? null, last_id: page.data.at(-1)?.id ?? null, has_more: page.has_more },
          };
        },
      },
      { method: 'GET', pattern: /^\/v1\/batches\/(?<id>[^/]+)$/, handle: (req, now) => ({ json: batchJSON(this.retrieve(req.params.id, now), now) }) },
      { method: 'POST', pattern: /^\/v1\/batches\/(?<id>[^/]+)\/cancel$/, handle: (req, now) => ({ json: this.cancel(req.params.id, now) }) },
    ];
  }

  private get(id: string): BatchRecord {
    const b = this.batches.get(id);
    if (!b) throw notFound(`No batch found with id '${id}'.`, 'batch_id');
    return b;
  }

  /** A retrieve; moves a batch whose lifecycle counts retrieves (outcome.batchPollsToComplete). */
  private retrieve(id: string, now: number): BatchRecord {
    const b = this.get(id);
    if (b.pollsToComplete === null || !['validating', 'in_progress', 'finalizing'].includes(b.status)) return b;
    b.retrieves++;
    const due = b.retrieves >= b.pollsToComplete;
    if (b.outcome === 'failed') {
      if (due) this.finish(b, 'failed', now);
      return b;
    }
    if (b.status === 'validating') this.enter(b, 'in_progress', now);
    if (due) {
      if (b.outcome === 'completed') this.enter(b, 'finalizing', now);
      if (b.outcome === 'cancelled') b.times.cancelling = now;
      this.finish(b, b.outcome, now);
    }
    return b;
  }

  private create(body: Record<string, unknown>, now: number): OpenAIBatch {
    rejectUnknownKeys('openai', body, ['input_file_id', 'endpoint', 'completion_window', 'metadata', 'output_expires_after']);
    const { input_file_id: inputFileId, endpoint, completion_window: window } = body;
    if (typeof inputFileId !== 'string') throw badRequest(`Missing required parameter: 'input_file_id'.`, 'input_file_id');
    oneOf(endpoint, BATCH_ENDPOINTS, 'endpoint');
    oneOf(window, ['24h'], 'completion_window');
    const metadata = validateMetadata(body.metadata);
    const outputExpiresAfterS = validateOutputExpiry(body.output_expires_after);
    const input = this.files.get(inputFileId);
    if (input.meta.purpose !== 'batch') {
      throw badRequest(`Invalid 'input_file_id': file ${inputFileId} has purpose '${input.meta.purpose}', expected 'batch'.`, 'input_file_id');
    }

    const parsed = parseInput(input.content.toString('utf8'), endpoint);
    const asked = metadataOutcome(metadata);
    const forced =
      this.config.outcome.openaiBatch ??
      (asked === 'failed' || asked === 'expired' || asked === 'cancelled' ? asked : undefined) ??
      (parsed.model === EXPIRE_MODEL ? 'expired' : parsed.model === CANCEL_MODEL ? 'cancelled' : undefined);
    if (forced === 'failed' && parsed.errors.length === 0) {
      parsed.errors.push({ code: 'simulated_failure', message: 'Batch failed validation (simulated).', param: null, line: null });
    }
    const id = this.ids.next('batch_');
    const t = this.config.timing;
    const b: BatchRecord = {
      id,
      endpoint,
      model: parsed.model,
      inputFileId,
      metadata,
      outputExpiresAfterS,
      lines: parsed.lines,
      order: shuffledOrder(parsed.lines.length, id),
      errors: parsed.errors,
      outcome: parsed.errors.length > 0 ? 'failed' : forced === 'expired' || forced === 'cancelled' ? forced : 'completed',
      schedule: { validating: t.batchValidatingMs, inProgress: t.batchInProgressMs, finalizing: t.batchFinalizingMs },
      cancelDelayMs: t.batchCancellingMs,
      pollsToComplete: positiveInt(this.config.outcome.batchPollsToComplete, 'batchPollsToComplete'),
      retrieves: 0,
      outputBytes: positiveInt(this.config.outcome.batchOutputBytes, 'batchOutputBytes'),
      status: 'validating',
      createdMs: now,
      times: {},
      outputFileId: null,
      errorFileId: null,
    };
    this.batches.set(id, b);
    return batchJSON(b, now);
  }

  private cancel(id: string, now: number): OpenAIBatch {
    const b = this.get(id);
    if (b.status === 'validating' || b.status === 'in_progress') {
      this.startCancel(b, now);
      this.advanceOne(b, now);
    } else if (b.status !== 'cancelling' && b.status !== 'cancelled') {
      // A batch that has ended (completed, failed, expired, finalizing) cannot be cancelled: 400
      // invalid_request_error (issue 8; the exact message is unverified, notes §3).
      throw badRequest(`Cannot cancel a batch with status '${b.status}'.`);
    }
    return batchJSON(b, now);
  }

  private startCancel(b: BatchRecord, at: number): void {
    b.status = 'cancelling';
    b.times.cancelling = at;
    b.cancelDelayMs = this.config.timing.batchCancellingMs;
  }

  private advanceOne(b: BatchRecord, now: number): void {
    for (let step = this.nextTransition(b); step && step.at <= now; step = this.nextTransition(b)) step.apply(step.at);
  }

  private nextTransition(b: BatchRecord): { at: number; apply: (at: number) => void } | null {
    const { schedule, times } = b;
    if (b.pollsToComplete !== null && b.status !== 'cancelling') return null; // moved by retrieves, not by the clock
    switch (b.status) {
      case 'validating':
        return {
          at: b.createdMs + schedule.validating,
          apply: (at) => (b.outcome === 'failed' ? this.finish(b, 'failed', at) : this.enter(b, 'in_progress', at)),
        };
      case 'in_progress':
        if (b.outcome === 'cancelled') {
          // someone else (another client, the dashboard) cancels the batch halfway through
          return { at: (times.in_progress as number) + Math.floor(schedule.inProgress / 2), apply: (at) => this.startCancel(b, at) };
        }
        return {
          at: (times.in_progress as number) + schedule.inProgress,
          apply: (at) => (b.outcome === 'expired' ? this.finish(b, 'expired', at) : this.enter(b, 'finalizing', at)),
        };
      case 'finalizing':
        return { at: (times.finalizing as number) + schedule.finalizing, apply: (at) => this.finish(b, 'completed', at) };
      case 'cancelling':
        return { at: (times.cancelling as number) + b.cancelDelayMs, apply: (at) => this.finish(b, 'cancelled', at) };
      default:
        return null;
    }
  }

  private enter(b: BatchRecord, status: 'in_progress' | 'finalizing', at: number): void {
    b.status = status;
    b.times[status] = at;
  }

  /** Terminal transition: writes the output and error files for whatever was processed. */
  private finish(b: BatchRecord, status: 'failed' | 'expired' | 'completed' | 'cancelled', at: number): void {
    b.status = status;
    b.times[status] = at;
    if (b.times.in_progress === undefined) return;
    const processed = processedCount(b, at);
    const ok: string[] = [];
    const bad: string[] = [];
    b.order.forEach((index, position) => {
      const line = b.lines[index];
      const head = { id: this.ids.next('batch_req_'), custom_id: line.customId };
      if (position >= processed) {
        const code = status === 'expired' ? 'batch_expired' : 'batch_cancelled';
        const message =
          status === 'expired'
            ? 'This request could not be executed before the completion window expired.'
            : 'This request was not executed because the batch was cancelled.';
        bad.push(JSON.stringify({ ...head, response: null, error: { code, message } }));
      } else if (line.fails) {
        const error = { message: 'Simulated error requested by the input line.', type: 'invalid_request_error', param: null, code: 'simulated_error' };
        bad.push(JSON.stringify({ ...head, response: { status_code: 400, request_id: this.ids.next('req_'), body: { error } }, error: null }));
      } else {
        const body = openaiResponseBody(b.endpoint, line.body, this.ids, unixSeconds(at));
        ok.push(JSON.stringify({ ...head, response: { status_code: 200, request_id: this.ids.next('req_'), body }, error: null }));
      }
    });
    const expiresAt = unixSeconds(at) + b.outputExpiresAfterS;
    const write = (lines: string[], suffix: string, padTo?: number) =>
      lines.length === 0 ? null : this.files.add(Buffer.from(lines.join('\n') + '\n'), `${b.id}_${suffix}.jsonl`, 'batch_output', at, expiresAt, padTo).id;
    b.outputFileId = write(ok, 'output', b.outputBytes ?? undefined);
    b.errorFileId = write(bad, 'error');
  }
}

export type OpenAIBatch = ReturnType<typeof batchJSON>;

function batchJSON(b: BatchRecord, now: number) {
  const stamp = (s: Stamp) => (b.times[s] === undefined ? null : unixSeconds(b.times[s] as number));
  return {
    id: b.id,
    object: 'batch',
    endpoint: b.endpoint,
    model: b.model,
    errors: b.status === 'failed' ? { object: 'list', data: b.errors } : null,
    input_file_id: b.inputFileId,
    completion_window: '24h',
    status: b.status,
    output_file_id: b.outputFileId,
    error_file_id: b.errorFileId,
    created_at: unixSeconds(b.createdMs),
    in_progress_at: stamp('in_progress'),
    expires_at: unixSeconds(b.createdMs) + DAY_S,
    finalizing_at: stamp('finalizing'),
    completed_at: stamp('completed'),
    failed_at: stamp('failed'),
    expired_at: stamp('expired'),
    cancelling_at: stamp('cancelling'),
    cancelled_at: stamp('cancelled'),
    request_counts: requestCounts(b, now),
    metadata: b.metadata,
  };
}

/** Requests run so far: an even pace through in_progress, frozen when a cancel arrives. */
function processedCount(b: BatchRecord, now: number): number {
  const start = b.times.in_progress;
  if (start === undefined) return 0;
  const until = Math.min(now, b.times.cancelling ?? Infinity);
  const fraction =
    b.pollsToComplete !== null
      ? b.status === 'completed' || b.status === 'expired'
        ? 1
        : Math.min(1, b.retrieves / b.pollsToComplete)
      : b.schedule.inProgress === 0
        ? 1
        : Math.min(1, Math.max(0, (until - start) / b.schedule.inProgress));
  const runnable = b.outcome === 'expired' ? Math.floor(b.lines.length / 2) : b.lines.length;
  return Math.floor(fraction * runnable);
}

function requestCounts(b: BatchRecord, now: number) {
  if (b.times.in_progress === undefined) return { total: 0, completed: 0, failed: 0 };
  const processed = processedCount(b, now);
  const failedRun = b.order.slice(0, processed).filter((i) => b.lines[i].fails).length;
  const cutOff = b.status === 'expired' || b.status === 'cancelled' ? b.lines.length - processed : 0;
  return { total: b.lines.length, completed: processed - failedRun, failed: failedRun + cutOff };
}

/** Checks every input line the way the validating phase would; errors carry 1-based line numbers. */
function parseInput(text: string, endpoint: string): { lines: BatchLine[]; errors: LineError[]; model: string | null } {
  const lines: BatchLine[] = [];
  const errors: LineError[] = [];
  const seen = new Set<string>();
  let model: string | null = null;
  const rows = text.split('\n');
  rows.forEach((row, i) => {
    const line = i + 1;
    if (row.trim() === '') return;
    const fail = (code: string, message: string, param: string | null = null) => errors.push({ code, message, param, line });
    let item: unknown;
    try {
      item = JSON.parse(row);
    } catch {
      return fail('invalid_json_line', 'This line is not parseable as valid JSON.');
    }
    if (!isObject(item)) return fail('invalid_json_line', 'Each line must be a JSON object.');
    const { custom_id: customId, method, url, body } = item;
    if (typeof customId !== 'string' || customId === '') return fail('missing_required_parameter', `Missing required parameter: 'custom_id'.`, 'custom_id');
    if (method !== 'POST') return fail('invalid_method', `Invalid value for 'method': only 'POST' is supported.`, 'method');
    if (url !== endpoint) return fail('mismatched_endpoint', `The url '${String(url)}' does not match the batch endpoint '${endpoint}'.`, 'url');
    if (!isObject(body)) return fail('missing_required_parameter', `Missing required parameter: 'body'.`, 'body');
    // every request names its model (BatchRequestInput body; one model per file, guide https://platform.openai.com/docs/guides/batch)
    if (typeof body.model !== 'string' || body.model === '') return fail('missing_required_parameter', `Missing required parameter: 'body.model'.`, 'body.model');
    if (body.stream === true) return fail('invalid_request', 'Streaming is not supported in batch requests.', 'body.stream');
    if (seen.has(customId)) return fail('duplicate_custom_id', `The custom_id '${customId}' is used more than once in this file.`, 'custom_id');
    seen.add(customId);
    if (model !== null && body.model !== model) return fail('mismatched_model', 'All requests in a batch must use the same model.', 'body.model');
    if (body.model === FAIL_MODEL) return fail('model_not_found', `The model '${FAIL_MODEL}' does not exist or you do not have access to it.`, 'body.model');
    model = body.model;
    lines.push({ customId, body, fails: wantsSimulatedError(body) });
  });
  if (lines.length === 0 && errors.length === 0) errors.push({ code: 'empty_file', message: 'The input file contains no requests.', param: null, line: null });
  if (lines.length > MAX_REQUESTS) {
    errors.push({ code: 'too_many_requests', message: `A batch may contain at most ${MAX_REQUESTS} requests.`, param: null, line: null });
  }
  return { lines, errors, model };
}

function positiveInt(value: number | undefined, name: string): number | null {
  if (value === undefined) return null;
  if (!Number.isInteger(value) || value < 1) throw new Error(`outcome.${name} must be an integer ≥ 1`);
  return value;
}

function validateOutputExpiry(value: unknown): number {
  if (value === undefined || value === null) return THIRTY_DAYS_S;
  if (!isObject(value) || value.anchor !== 'created_at') {
    throw badRequest(`Invalid 'output_expires_after': anchor must be 'created_at'.`, 'output_expires_after.anchor');
  }
  const s = value.seconds;
  if (typeof s !== 'number' || !Number.isInteger(s) || s < 3600 || s > THIRTY_DAYS_S) {
    throw badRequest(`Invalid 'output_expires_after.seconds': expected an integer between 3600 and ${THIRTY_DAYS_S}.`, 'output_expires_after.seconds');
  }
  return s;
}
