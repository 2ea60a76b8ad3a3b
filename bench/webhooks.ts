// Bench part 5: a 1-hour batch, waited for by polling or by webhook. The polling seed (openai-batch-job) polls the
// batch once a simulated minute: the simulator completes it on the 60th retrieve (batchPollsToComplete: 60). The
// webhook variant (openai-batch-job-webhook, Arazzo 1.1) waits for the batch.completed event the simulator signs and
// delivers to the webhook receiver when the batch completes (here after 3 s of real time, whatever it stands for:
// the wait costs no request). Figures: API requests to the simulator and history events of the run (and, for the
// webhook, of its correlation mailbox).
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Client, WorkflowHandle, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { ArazzoClient, ArazzoRunResult } from '../src/client';
import { mailboxId } from '../src/core/asyncapi';
import { startWebhookDelivery, TIMING_PRESETS, type Simulator } from '../src/simulator';
import { PROJECT_ROOT } from '../src/temporal/dev-server';
import { channelsOf, startWebhookServer } from '../src/webhooks';

interface Cell {
  value?: number;
  error?: string;
  note?: string;
}
export interface WebhookBenchApi {
  figure(
    id: string,
    metric: string,
    unit: string,
    target?: { text: string; max: number; inclusive?: boolean },
  ): { arazzo: Cell; reference: Cell; details?: Record<string, unknown> };
  log(line: string): void;
  short(err: unknown): string;
  historyOf(client: Client, workflowId: string, firstRunId: string | undefined): Promise<{ events: number; bytes: number; runs: number }>;
  resultWithin<T>(handle: WorkflowHandle, ms: number): Promise<T>;
}
export interface WebhookBenchCtx {
  sim: Simulator;
  client: Client;
  arazzo: ArazzoClient;
  servers: Record<string, string>;
  inputs: Record<string, unknown>;
}

const POLLS_PER_HOUR = 60;
const WEBHOOK_DOC = join(PROJECT_ROOT, 'arazzo', 'openai-batch-job-webhook.arazzo.yaml');
const POLLING_DOC = join(PROJECT_ROOT, 'arazzo', 'openai-batch-job.arazzo.yaml');

type Run = { requests: number; events: number; mailboxEvents?: number };

async function pollingRun(ctx: WebhookBenchCtx, api: WebhookBenchApi): Promise<Run> {
  ctx.sim.reset();
  ctx.sim.setOutcome({ batchPollsToComplete: POLLS_PER_HOUR });
  try {
    const id = `bench-webhooks-polling-${Date.now()}`;
    const started = await ctx.arazzo.start({
      document: POLLING_DOC,
      inputs: ctx.inputs,
      servers: ctx.servers,
      poll: { initialIntervalMs: 5, maxIntervalMs: 5 },
      id,
    });
    await api.resultWithin<ArazzoRunResult>(started.handle, 300_000);
    const h = await api.historyOf(ctx.client, id, (started.handle as WorkflowHandleWithFirstExecutionRunId).firstExecutionRunId);
    return { requests: ctx.sim.requests.length, events: h.events };
  } finally {
    ctx.sim.setOutcome({});
  }
}

async function webhookRun(ctx: WebhookBenchCtx, api: WebhookBenchApi): Promise<Run> {
  ctx.sim.reset();
  ctx.sim.setTiming({ batchValidatingMs: 250, batchInProgressMs: 2500, batchFinalizingMs: 250 });
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const channels = await channelsOf([join(PROJECT_ROOT, 'asyncapi', 'openai-webhooks.yml')]);
  const receiver = await startWebhookServer({
    port: 0,
    secret,
    client: ctx.client,
    taskQueue: ctx.arazzo.settings.taskQueue,
    channels,
    log: () => undefined,
  });
  const delivery = startWebhookDelivery(ctx.sim, { url: `${receiver.url}/webhooks/openai`, secret, intervalMs: 50 });
  try {
    const id = `bench-webhooks-webhook-${Date.now()}`;
    const started = await ctx.arazzo.start({ document: WEBHOOK_DOC, inputs: ctx.inputs, servers: ctx.servers, id });
    const result = await api.resultWithin<ArazzoRunResult>(started.handle, 300_000);
    const h = await api.historyOf(ctx.client, id, (started.handle as WorkflowHandleWithFirstExecutionRunId).firstExecutionRunId);
    const box = await api.historyOf(ctx.client, mailboxId('/webhooks/openai', String(result.outputs.batchId)), undefined);
    return { requests: ctx.sim.requests.length, events: h.events, mailboxEvents: box.events };
  } finally {
    await delivery.stop();
    await receiver.close();
    ctx.sim.setTiming(TIMING_PRESETS.fast);
  }
}

/** Part 5; returns the notes for the report. */
export async function measureWebhooks(ctx: WebhookBenchCtx, api: WebhookBenchApi): Promise<string[]> {
  const requests = api.figure(
    'webhookRequests@1h',
    'API requests, 1-hour batch: webhook variant (reference column: the polling seed)',
    'requests',
    { text: '≤ 5', max: 5, inclusive: true },
  );
  const events = api.figure(
    'webhookHistoryEvents@1h',
    'history events, 1-hour batch: webhook variant + its mailbox (reference: polling seed)',
    'events',
  );
  try {
    const polled = await pollingRun(ctx, api);
    requests.reference = { value: polled.requests, note: `polling seed, ${POLLS_PER_HOUR} polls` };
    events.reference = { value: polled.events, note: 'polling seed' };
    api.log(`polling seed: ${polled.requests} requests, ${polled.events} history events`);
  } catch (err) {
    requests.reference.error = events.reference.error = api.short(err);
    api.log(`polling seed failed: ${api.short(err)}`);
  }
  try {
    const hooked = await webhookRun(ctx, api);
    requests.arazzo = { value: hooked.requests };
    events.arazzo = { value: hooked.events + (hooked.mailboxEvents ?? 0), note: `${hooked.events} run + ${hooked.mailboxEvents} mailbox` };
    events.details = { webhook: hooked };
    api.log(`webhook variant: ${hooked.requests} requests, ${hooked.events} history events (+ ${hooked.mailboxEvents} in the mailbox)`);
  } catch (err) {
    requests.arazzo.error = events.arazzo.error = api.short(err);
    api.log(`webhook variant failed: ${api.short(err)}`);
  }
  return [
    `webhooks: a 1-hour batch. The polling seed polls once a simulated minute (the simulator completes the batch on the ${POLLS_PER_HOUR}th retrieve); the webhook variant waits for the signed batch.completed webhook (simulator → webhook receiver → correlation mailbox → run) and reads the batch once; requests are every request the simulator received for the run (upload, create, retrieves). The polling seed polls inside one activity, so its history stays small; the webhook run's history has a subscribe activity, a signal and its timer, and the mailbox has its own.`,
  ];
}
