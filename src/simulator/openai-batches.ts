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
import { intQuery, listReply, pageAfter, readJsonObject, type Route } from './http';
import { shuffledOrder, type IdFactory } from './ids';
import { CANCEL_MODEL, EXPIRE_MODEL, metadataOutcome, type SimConfig } from './outcomes';
import { openaiResponseBody } from './results';
import { unixSeconds } from './timing';
import { oneOf, rejectUnknownKeys, validateMetadata } from './validate';
import { BATCH_ENDPOINTS, parseInput, positiveInt, validateOutputExpiry } from './openai-batch-input';
import { batchJSON, processedCount, type BatchRecord, type OpenAIBatch } from './openai-batch-record';

export type { OpenAIBatch };

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
      {
        method: 'POST',
        pattern: /^\/v1\/batches$/,
        create: true,
        handle: async (req, now) => ({ json: this.create(await readJsonObject(req), now) }),
      },
      {
        method: 'GET',
        pattern: /^\/v1\/batches$/,
        handle: (req, now) => {
          const limit = intQuery(req.query, 'limit', 20, 1, 100);
          const page = pageAfter(this.list(now).reverse(), req.query.get('after'), limit);
          return listReply(page);
        },
      },
      {
        method: 'GET',
        pattern: /^\/v1\/batches\/(?<id>[^/]+)$/,
        handle: (req, now) => ({ json: batchJSON(this.retrieve(req.params.id, now), now) }),
      },
      {
        method: 'POST',
        pattern: /^\/v1\/batches\/(?<id>[^/]+)\/cancel$/,
        handle: (req, now) => ({ json: this.cancel(req.params.id, now) }),
      },
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
      throw badRequest(
        `Invalid 'input_file_id': file ${inputFileId} has purpose '${input.meta.purpose}', expected 'batch'.`,
        'input_file_id',
      );
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
        const error = {
          message: 'Simulated error requested by the input line.',
          type: 'invalid_request_error',
          param: null,
          code: 'simulated_error',
        };
        bad.push(
          JSON.stringify({ ...head, response: { status_code: 400, request_id: this.ids.next('req_'), body: { error } }, error: null }),
        );
      } else {
        const body = openaiResponseBody(b.endpoint, line.body, this.ids, unixSeconds(at));
        ok.push(JSON.stringify({ ...head, response: { status_code: 200, request_id: this.ids.next('req_'), body }, error: null }));
      }
    });
    const expiresAt = unixSeconds(at) + b.outputExpiresAfterS;
    const write = (lines: string[], suffix: string, padTo?: number) =>
      lines.length === 0
        ? null
        : this.files.add(Buffer.from(lines.join('\n') + '\n'), `${b.id}_${suffix}.jsonl`, 'batch_output', at, expiresAt, padTo).id;
    b.outputFileId = write(ok, 'output', b.outputBytes ?? undefined);
    b.errorFileId = write(bad, 'error');
  }
}
