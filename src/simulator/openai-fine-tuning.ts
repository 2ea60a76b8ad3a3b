// OpenAI fine-tuning: POST/GET /v1/fine_tuning/jobs, GET /v1/fine_tuning/jobs/{id},
// POST /v1/fine_tuning/jobs/{id}/cancel, GET /v1/fine_tuning/jobs/{id}/events.
//
// validating_files ─(training file invalid: not JSONL objects, a bad `messages` shape, < 10 examples)─▶ failed
// validating_files ─▶ queued ─▶ running ─▶ succeeded | failed (forced) | cancelled (forced: by someone else)
// any non-terminal ─(cancel, immediate)─▶ cancelled
// Statuses and the job object: notes/providers.md §4 (FineTuningJob in openai-openapi-master.yml).
import { badRequest, notFound } from './errors';
import type { FileStore } from './openai-files';
import { intQuery, isObject, pageAfter, readJsonObject, type Route } from './http';
import { hash32, type IdFactory } from './ids';
import { CANCEL_MODEL, FAIL_MODEL, metadataOutcome, type SimConfig } from './outcomes';
import { unixSeconds } from './timing';
import { oneOf, rejectUnknownKeys, validateMetadata } from './validate';
import {
  METHOD_TYPES,
  ORGANIZATION,
  jobJSON,
  resolveHyperparameters,
  type FineTuningJob,
  type JobError,
  type JobEvent,
  type JobRecord,
} from './openai-fine-tuning-job';
import { trainingFileProblem } from './openai-fine-tuning-training-file';

export type { FineTuningJob };

export class FineTuningStore {
  private readonly jobs = new Map<string, JobRecord>();

  constructor(
    private readonly ids: IdFactory,
    private readonly files: FileStore,
    private readonly config: SimConfig,
  ) {}

  advance(now: number): void {
    for (const job of this.jobs.values()) {
      for (let step = this.nextTransition(job); step && step.at <= now; step = this.nextTransition(job)) step.apply(step.at);
    }
  }

  list(): FineTuningJob[] {
    return [...this.jobs.values()].map(jobJSON);
  }

  routes(): Route[] {
    const one = /^\/v1\/fine_tuning\/jobs\/(?<id>[^/]+)/;
    const sub = (rest: string) => new RegExp(one.source + rest + '$');
    return [
      {
        method: 'POST',
        pattern: /^\/v1\/fine_tuning\/jobs$/,
        create: true,
        handle: async (req, now) => ({ json: this.create(await readJsonObject(req), now) }),
      },
      {
        method: 'GET',
        pattern: /^\/v1\/fine_tuning\/jobs$/,
        handle: (req) => {
          const page = pageAfter(this.list().reverse(), req.query.get('after'), intQuery(req.query, 'limit', 20, 1, 100));
          return { json: { object: 'list', data: page.data, has_more: page.has_more } };
        },
      },
      { method: 'GET', pattern: sub(''), handle: (req) => ({ json: jobJSON(this.get(req.params.id)) }) },
      { method: 'POST', pattern: sub('/cancel'), handle: (req, now) => ({ json: this.cancel(req.params.id, now) }) },
      {
        method: 'GET',
        pattern: sub('/events'),
        handle: (req) => {
          const events = [...this.get(req.params.id).events].reverse();
          const page = pageAfter(events, req.query.get('after'), intQuery(req.query, 'limit', 20, 1, 100));
          return { json: { object: 'list', data: page.data, has_more: page.has_more } };
        },
      },
    ];
  }

  private get(id: string): JobRecord {
    const job = this.jobs.get(id);
    if (!job) throw notFound(`Could not find fine-tuning job: ${id}`, 'fine_tuning_job_id');
    return job;
  }

  private create(body: Record<string, unknown>, now: number): FineTuningJob {
    rejectUnknownKeys('openai', body, [
      'model',
      'training_file',
      'validation_file',
      'suffix',
      'seed',
      'method',
      'metadata',
      'integrations',
      'hyperparameters',
    ]);
    const { model, suffix, seed } = body;
    if (typeof model !== 'string' || model === '') throw badRequest(`Missing required parameter: 'model'.`, 'model');
    const training = this.fineTuneFile(body.training_file, 'training_file');
    const validation = body.validation_file == null ? null : this.fineTuneFile(body.validation_file, 'validation_file');
    if (suffix !== undefined && suffix !== null && (typeof suffix !== 'string' || suffix.length > 64)) {
      throw badRequest(`Invalid 'suffix': expected a string of at most 64 characters.`, 'suffix');
    }
    if (seed !== undefined && seed !== null && !Number.isInteger(seed)) throw badRequest(`Invalid 'seed': expected an integer.`, 'seed');
    const metadata = validateMetadata(body.metadata);
    const method = isObject(body.method) ? body.method : { type: 'supervised' };
    oneOf(method.type, METHOD_TYPES, 'method.type');
    const hyperparameters = resolveHyperparameters(
      body.hyperparameters ?? (method[method.type] as Record<string, unknown> | undefined)?.hyperparameters,
    );

    const id = this.ids.next('ftjob-');
    const t = this.config.timing;
    const job: JobRecord = {
      id,
      model,
      trainingFile: training.id,
      validationFile: validation?.id ?? null,
      suffix: typeof suffix === 'string' ? suffix : null,
      seed: typeof seed === 'number' ? seed : hash32(id) % 2 ** 31,
      metadata,
      integrations: Array.isArray(body.integrations) ? body.integrations : null,
      hyperparameters,
      method: { ...method, type: method.type, [method.type]: { hyperparameters } },
      trainingTokens: Math.max(1, Math.ceil(training.content.length / 4)),
      failure: this.decideFailure(model, metadata, training.content),
      cancelledByOther:
        this.config.outcome.fineTuning === 'cancelled' || metadataOutcome(metadata) === 'cancelled' || model === CANCEL_MODEL,
      schedule: { validating: t.fineTuneValidatingMs, queued: t.fineTuneQueuedMs, running: t.fineTuneRunningMs },
      status: 'validating_files',
      createdMs: now,
      startedMs: null,
      finishedMs: null,
      fineTunedModel: null,
      resultFiles: [],
      error: null,
      events: [],
    };
    this.jobs.set(id, job);
    this.event(job, now, `Validating training file: ${training.id}`);
    return jobJSON(job);
  }

  private fineTuneFile(id: unknown, param: string): { id: string; content: Buffer } {
    if (id === undefined || id === null) throw badRequest(`Missing required parameter: '${param}'.`, param);
    if (typeof id !== 'string') throw badRequest(`Invalid '${param}': expected a file id.`, param);
    let file;
    try {
      file = this.files.get(id);
    } catch {
      throw badRequest(`Invalid '${param}': file '${id}' not found.`, param);
    }
    if (file.meta.purpose !== 'fine-tune') {
      throw badRequest(`Invalid '${param}': file ${id} has purpose '${file.meta.purpose}', expected 'fine-tune'.`, param);
    }
    return { id, content: file.content };
  }

  private decideFailure(model: string, metadata: Record<string, string> | null, training: Buffer): JobRecord['failure'] {
    const invalid = trainingFileProblem(training.toString('utf8'));
    if (invalid) return { phase: 'validating_files', error: { ...invalid, param: 'training_file' } };
    if (this.config.outcome.fineTuning === 'failed' || metadataOutcome(metadata) === 'failed' || model === FAIL_MODEL) {
      return { phase: 'running', error: { code: 'server_error', message: 'Fine-tuning failed during training (simulated).', param: null } };
    }
    return null;
  }

  private cancel(id: string, now: number): FineTuningJob {
    const job = this.get(id);
    if (job.status === 'validating_files' || job.status === 'queued' || job.status === 'running') {
      job.status = 'cancelled';
      this.event(job, now, 'Fine-tuning job cancelled');
    } else if (job.status !== 'cancelled') {
      throw badRequest(`Job has already completed: ${id}`);
    }
    return jobJSON(job);
  }

  private nextTransition(job: JobRecord): { at: number; apply: (at: number) => void } | null {
    const { schedule, failure } = job;
    switch (job.status) {
      case 'validating_files':
        return {
          at: job.createdMs + schedule.validating,
          apply: (at) => {
            if (failure?.phase === 'validating_files') return this.fail(job, at, failure.error);
            job.status = 'queued';
            this.event(job, at, 'Files validated, moving job to queued state');
          },
        };
      case 'queued':
        return {
          at: job.createdMs + schedule.validating + schedule.queued,
          apply: (at) => {
            job.status = 'running';
            job.startedMs = at;
            this.event(job, at, 'Fine-tuning job started');
          },
        };
      case 'running':
        if (job.cancelledByOther) {
          return {
            at: (job.startedMs as number) + Math.floor(schedule.running / 2),
            apply: (at) => {
              job.status = 'cancelled';
              job.finishedMs = null;
              this.event(job, at, 'Fine-tuning job cancelled');
            },
          };
        }
        return {
          at: (job.startedMs as number) + schedule.running,
          apply: (at) => (failure ? this.fail(job, at, failure.error) : this.succeed(job, at)),
        };
      default:
        return null;
    }
  }

  private fail(job: JobRecord, at: number, error: JobError): void {
    job.status = 'failed';
    job.finishedMs = at;
    job.error = error;
    this.event(job, at, `Job failed: ${error.message}`, 'error');
  }

  private succeed(job: JobRecord, at: number): void {
    const steps = 3;
    const csv = ['step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy'];
    for (let step = 1; step <= steps; step++) {
      const metrics = { step, train_loss: round(2 / (step + 1)), train_mean_token_accuracy: round(0.6 + step * 0.1) };
      const when = (job.startedMs as number) + (job.schedule.running * step) / (steps + 1);
      this.event(job, when, `Step ${step}/${steps}: training loss=${metrics.train_loss}`, 'info', 'metrics', metrics);
      csv.push(`${step},${metrics.train_loss},${metrics.train_mean_token_accuracy},,`);
    }
    job.status = 'succeeded';
    job.finishedMs = at;
    job.fineTunedModel = `ft:${job.model}:${ORGANIZATION}:${job.suffix ?? ''}:${job.id.replace(/^ftjob-/, '')}`;
    job.resultFiles = [this.files.add(Buffer.from(csv.join('\n') + '\n'), 'step_metrics.csv', 'fine-tune-results', at, null).id];
    this.event(job, at, `New fine-tuned model created: ${job.fineTunedModel}`);
    this.event(job, at, 'The job has successfully completed');
  }

  private event(
    job: JobRecord,
    atMs: number,
    message: string,
    level: JobEvent['level'] = 'info',
    type: JobEvent['type'] = 'message',
    data: Record<string, unknown> = {},
  ): void {
    job.events.push({
      object: 'fine_tuning.job.event',
      id: this.ids.next('ftevent-'),
      created_at: unixSeconds(atMs),
      level,
      message,
      type,
      data,
    });
  }
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
