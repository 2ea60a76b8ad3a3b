// How a run is told to end badly. Server-wide overrides (options.outcome / setOutcome) win over the
// per-object triggers below; both apply to objects created while they are in force.
//
// Triggers in the requests themselves (so a run of an unchanged document can be told how to end):
//   model "sim-fail"            OpenAI batch → failed (validation error on that line);
//                               fine-tuning job → failed while running; Anthropic request → errored.
//   model "sim-expire"          OpenAI batch → expired (half the requests ran; partial output);
//                               Anthropic request → that request expired.
//   model "sim-cancel"          OpenAI batch → cancelled by someone else halfway through in_progress;
//                               fine-tuning job → cancelled by someone else while running;
//                               Anthropic request → that request canceled (the batch shows a cancel by someone else).
//   metadata.simulate           "failed" | "expired" | "cancelled" on an OpenAI batch, "failed" | "cancelled" on a
//                               fine-tuning job.
//   "simulate_error": true      in an OpenAI line body / Anthropic params → that one request errors (an OpenAI
//                               batch still completes, with an error_file_id; every line marked → no output file).
import type { SimulatorTiming } from './timing';

export const FAIL_MODEL = 'sim-fail';
export const EXPIRE_MODEL = 'sim-expire';
export const CANCEL_MODEL = 'sim-cancel';

export interface OutcomeOverrides {
  /** Every new OpenAI batch ends `failed` (validation), `expired` (partial output) or `cancelled` by someone else. */
  openaiBatch?: 'failed' | 'expired' | 'cancelled';
  /** Every new fine-tuning job ends `failed` or `cancelled` by someone else. */
  fineTuning?: 'failed' | 'cancelled';
  /** Every new Anthropic batch ends with half its requests `expired`. */
  messageBatch?: 'expired';
  /**
   * Every new OpenAI batch reaches its end on its Nth retrieve (GET /v1/batches/{id}) instead of by the clock:
   * retrieves 1…N−1 see it `in_progress`, retrieve N sees it `completed` (or `failed`/`expired` when forced).
   * Makes the number of polls of a run exact, whatever the poll interval (benchmarks).
   */
  batchPollsToComplete?: number;
  /**
   * The output file of every new OpenAI batch is padded with filler result lines (valid JSONL) to exactly this
   * many bytes. Only the real lines are kept in memory; the file content is generated as it is sent.
   */
  batchOutputBytes?: number;
}

/** Mutable settings shared by the provider modules. */
export interface SimConfig {
  timing: SimulatorTiming;
  outcome: OutcomeOverrides;
  /** The server's own URL, for Anthropic `results_url`. */
  baseUrl: string;
}

export function metadataOutcome(metadata: unknown): unknown {
  return typeof metadata === 'object' && metadata !== null ? (metadata as Record<string, unknown>).simulate : undefined;
}

export function wantsSimulatedError(body: Record<string, unknown>): boolean {
  return body.simulate_error === true;
}
