// The simulator's fine-tuning job record and its JSON (FineTuningJob in openai-openapi-master.yml,
// notes/providers.md §4), and the hyperparameters a create resolves.
import { badRequest } from './errors';
import { isObject } from './http';
import { unixSeconds } from './timing';

export const ORGANIZATION = 'sim-org';
export const DEFAULT_HYPERPARAMETERS = { n_epochs: 3, batch_size: 1, learning_rate_multiplier: 1.8 };
export const METHOD_TYPES = ['supervised', 'dpo', 'reinforcement'] as const;

export type JobStatus = 'validating_files' | 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export type Hyperparameters = typeof DEFAULT_HYPERPARAMETERS;

export interface JobError {
  code: string;
  message: string;
  param: string | null;
}

export interface JobEvent {
  object: 'fine_tuning.job.event';
  id: string;
  created_at: number;
  level: 'info' | 'warn' | 'error';
  message: string;
  type: 'message' | 'metrics';
  data: Record<string, unknown>;
}

export interface JobRecord {
  id: string;
  model: string;
  trainingFile: string;
  validationFile: string | null;
  suffix: string | null;
  seed: number;
  metadata: Record<string, string> | null;
  integrations: unknown[] | null;
  hyperparameters: Hyperparameters;
  method: { type: string; [k: string]: unknown };
  trainingTokens: number;
  /** Where and how the job fails, decided at create. */
  failure: { phase: 'validating_files' | 'running'; error: JobError } | null;
  /** Someone else cancels the job halfway through running (forced outcome). */
  cancelledByOther: boolean;
  schedule: { validating: number; queued: number; running: number };
  status: JobStatus;
  createdMs: number;
  startedMs: number | null;
  finishedMs: number | null;
  fineTunedModel: string | null;
  resultFiles: string[];
  error: JobError | null;
  /** Oldest first. */
  events: JobEvent[];
}
export type FineTuningJob = ReturnType<typeof jobJSON>;

export function jobJSON(job: JobRecord) {
  const done = job.status === 'succeeded';
  return {
    object: 'fine_tuning.job' as const,
    id: job.id,
    model: job.model,
    created_at: unixSeconds(job.createdMs),
    finished_at: job.finishedMs === null ? null : unixSeconds(job.finishedMs),
    fine_tuned_model: job.fineTunedModel,
    organization_id: ORGANIZATION,
    result_files: job.resultFiles,
    status: job.status,
    validation_file: job.validationFile,
    training_file: job.trainingFile,
    hyperparameters: job.hyperparameters,
    trained_tokens: done ? job.trainingTokens * job.hyperparameters.n_epochs : null,
    error: job.error,
    user_provided_suffix: job.suffix,
    seed: job.seed,
    estimated_finish: job.status === 'running' ? unixSeconds((job.startedMs as number) + job.schedule.running) : null,
    integrations: job.integrations,
    method: job.method,
    metadata: job.metadata,
  };
}

export function resolveHyperparameters(given: unknown): Hyperparameters {
  const out = { ...DEFAULT_HYPERPARAMETERS };
  if (!isObject(given)) return out;
  for (const key of Object.keys(out) as (keyof Hyperparameters)[]) {
    const v = given[key];
    if (v === undefined || v === 'auto') continue;
    if (typeof v !== 'number' || v <= 0)
      throw badRequest(`Invalid 'hyperparameters.${key}': expected 'auto' or a positive number.`, `hyperparameters.${key}`);
    out[key] = v;
  }
  return out;
}
