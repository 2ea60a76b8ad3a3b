// The simulator's OpenAI Batch record and its JSON (the Batch object, notes/providers.md §3): statuses, the
// evenly paced progress of its requests in their shuffled order, and request_counts.
import { unixSeconds } from './timing';

export const DAY_S = 24 * 3600;
export const THIRTY_DAYS_S = 30 * DAY_S;

export type BatchStatus = 'validating' | 'failed' | 'in_progress' | 'finalizing' | 'completed' | 'expired' | 'cancelling' | 'cancelled';
export type Stamp = Exclude<BatchStatus, 'validating'>;

export interface BatchLine {
  customId: string;
  body: Record<string, unknown>;
  fails: boolean;
}

export interface LineError {
  code: string;
  message: string;
  param: string | null;
  line: number | null;
}

export interface BatchRecord {
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

export type OpenAIBatch = ReturnType<typeof batchJSON>;

export function batchJSON(b: BatchRecord, now: number) {
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
export function processedCount(b: BatchRecord, now: number): number {
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

export function requestCounts(b: BatchRecord, now: number) {
  if (b.times.in_progress === undefined) return { total: 0, completed: 0, failed: 0 };
  const processed = processedCount(b, now);
  const failedRun = b.order.slice(0, processed).filter((i) => b.lines[i].fails).length;
  const cutOff = b.status === 'expired' || b.status === 'cancelled' ? b.lines.length - processed : 0;
  return { total: b.lines.length, completed: processed - failedRun, failed: failedRun + cutOff };
}
