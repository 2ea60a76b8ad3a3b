// Waiting for events instead of polling, on a real dev server: the webhook variant of the batch seed completes by a
// signed webhook from the simulator with few API requests; a lost webhook is covered by the document's fallback
// poll; a redelivered webhook reaches the run once; forged and stale deliveries are refused; an event that comes
// before the step waits is kept; an event for a run that ended is acknowledged; MQTT send/receive through aedes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import { Webhook } from 'standardwebhooks';
import { startStack, type Stack } from '../helpers/stack';
import { seedRun } from '../helpers/runs';
import { PROJECT_ROOT } from '../../src/temporal/dev-server';
import { startWebhookDelivery, type WebhookDelivery, type WebhookDeliveryOptions, type WebhookEvent } from '../../src/simulator';
import { channelsOf, startMqttBroker, startWebhookServer, type MqttBroker, type WebhookServer } from '../../src/webhooks';
import { closeBrokers } from '../../src/activities/mqtt-bridge';
import { mailboxId } from '../../src/core/asyncapi';

const SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const DOC = join(PROJECT_ROOT, 'arazzo', 'openai-batch-job-webhook.arazzo.yaml');
const FINE_TUNING_DOC = join(PROJECT_ROOT, 'arazzo', 'openai-fine-tuning-job-webhook.arazzo.yaml');
const FIXTURES = join(PROJECT_ROOT, 'test', 'fixtures', 'events');
let stack: Stack;
let receiver: WebhookServer;
let broker: MqttBroker;
let delivery: WebhookDelivery | undefined;

before(async () => {
  stack = await startStack();
  // a batch takes about 4 s: long enough for a polling run to poll many times
  stack.simulator.setTiming({ batchValidatingMs: 500, batchInProgressMs: 3000, batchFinalizingMs: 500 });
  const channels = await channelsOf([join(PROJECT_ROOT, 'asyncapi', 'openai-webhooks.yml')]);
  receiver = await startWebhookServer({
    port: 0,
    secret: SECRET,
    client: stack.client.client,
    taskQueue: stack.client.settings.taskQueue,
    channels,
    log: () => undefined,
  });
  // the broker routes what is published on the orders channels to their mailboxes, as dev's broker does
  const orderChannels = await channelsOf([join(FIXTURES, 'orders.asyncapi.yaml')]);
  broker = await startMqttBroker({
    port: 0,
    route: { client: stack.client.client, taskQueue: stack.client.settings.taskQueue, channels: orderChannels },
  });
});
after(async () => {
  await delivery?.stop();
  await receiver?.close();
  await closeBrokers();
  await broker?.close();
  await stack?.stop();
});

async function deliverWith(opts: Partial<WebhookDeliveryOptions>): Promise<WebhookDelivery> {
  await delivery?.stop();
  delivery = startWebhookDelivery(stack.simulator, { url: `${receiver.url}/webhooks/openai`, secret: SECRET, intervalMs: 100, ...opts });
  return delivery;
}

/** An overlay that shortens the wait of a receive step to `timeoutMs`. */
function shorterWait(stepId: string, timeoutMs: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'webhook-overlay-'));
  const overlay = join(dir, 'timeout.overlay.yaml');
  writeFileSync(
    overlay,
    `overlay: 1.0.0\ninfo: { title: shorter wait, version: 1.0.0 }\nactions:\n- target: $.workflows[0].steps[?@.stepId == '${stepId}']\n  update: { timeout: ${timeoutMs} }\n`,
  );
  return overlay;
}

/** The batch seed's webhook variant, against the simulator; `timeoutMs` shortens the receive step's wait (an overlay). */
function webhookRun(timeoutMs?: number) {
  const base = seedRun('openai-batch-job', stack.simulator.url, { overlays: [] });
  return { ...base, document: DOC, overlays: timeoutMs === undefined ? [] : [shorterWait('waitForBatch', timeoutMs)] };
}

/** Requests to the simulator's batch endpoints since `from` (index into its request log). */
const batchRequests = (from: number) =>
  stack.simulator.requests.slice(from).filter((r) => r.path.startsWith('/v1/batches') || r.path === '/v1/files');

async function signalsIn(workflowId: string): Promise<{ received: string[]; forwarded: number; forwardFailed: number }> {
  const history = await stack.client.client.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  return {
    received: events.flatMap((e) =>
      e.workflowExecutionSignaledEventAttributes ? [e.workflowExecutionSignaledEventAttributes.signalName ?? ''] : [],
    ),
    forwarded: events.filter((e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes).length,
    forwardFailed: events.filter((e) => e.signalExternalWorkflowExecutionFailedEventAttributes).length,
  };
}

function signed(event: WebhookEvent, opts: { secret?: string; at?: Date } = {}) {
  const body = JSON.stringify(event);
  const at = opts.at ?? new Date();
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'webhook-id': event.id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(opts.secret ?? SECRET).sign(event.id, at, body),
    },
  };
}

const post = (d: { body: string; headers: Record<string, string> }) => fetch(`${receiver.url}/webhooks/openai`, { method: 'POST', ...d });
const batchEvent = (batchId: string, type = 'batch.completed'): WebhookEvent => ({
  id: `evt_${randomBytes(8).toString('hex')}`,
  object: 'event',
  created_at: Math.floor(Date.now() / 1000),
  type,
  data: { id: batchId },
});

test('the batch completes by its signed webhook, with far fewer API requests than the polling seed', async () => {
  await deliverWith({});
  const from = stack.simulator.requests.length;
  const result = await stack.client.run(webhookRun());
  const byWebhook = batchRequests(from);
  assert.match(String(result.outputs.batchId), /^batch_/);
  assert.match(String(result.outputs.outputFileId), /^file-/);
  assert.deepEqual(
    result.trace.map((t) => t.stepId),
    ['uploadInput', 'createBatch', 'waitForBatch', 'getResult'],
  );
  const sent = delivery!.events.find((e) => e.event.data.id === result.outputs.batchId);
  assert.ok(sent && sent.delivered >= 1 && sent.event.type === 'batch.completed', 'the simulator delivered batch.completed');
  // upload, create, and one read of the finished batch: no poll
  assert.deepEqual(
    byWebhook.map((r) => r.method),
    ['POST', 'POST', 'GET'],
  );

  const pollFrom = stack.simulator.requests.length;
  const polled = await stack.client.run(
    seedRun('openai-batch-job', stack.simulator.url, { poll: { initialIntervalMs: 200, maxIntervalMs: 200 } }),
  );
  assert.match(String(polled.outputs.outputFileId), /^file-/);
  const byPolling = batchRequests(pollFrom);
  assert.ok(byPolling.length >= byWebhook.length + 5, `polling made ${byPolling.length} requests, the webhook run ${byWebhook.length}`);
});

test('a lost webhook: the receive step times out and the fallback poll in the document finishes the run', async () => {
  await deliverWith({ lose: true });
  const from = stack.simulator.requests.length;
  const result = await stack.client.run(webhookRun(1500));
  assert.match(String(result.outputs.outputFileId), /^file-/);
  const steps = result.trace.map((t) => t.stepId);
  assert.ok(steps.includes('pollBatch'), `the run polled: ${steps.join(', ')}`);
  assert.equal(steps[steps.length - 1], 'getResult');
  const lost = delivery!.events.find((e) => e.event.data.id === result.outputs.batchId);
  assert.ok(lost?.lost && lost.attempts.length === 0, 'the webhook of this batch was lost, never sent');
  assert.ok(batchRequests(from).some((r) => r.method === 'GET' && /^\/v1\/batches\/batch_/.test(r.path)));
});

test('a webhook delivered three times (same webhook-id) reaches the run once', async () => {
  await deliverWith({ duplicates: 2 });
  const started = await stack.client.start(webhookRun());
  const result = await started.handle.result();
  const batchId = String(result.outputs.batchId);
  const entry = await waitUntil(() => delivery!.events.find((e) => e.event.data.id === batchId && e.delivered === 3));
  assert.equal(entry.attempts.filter((s) => s === 200).length, 3);
  const box = mailboxId('/webhooks/openai', batchId);
  const mailbox = await signalsIn(box);
  assert.equal(mailbox.received.filter((s) => s === 'arazzo.deliver').length, 3, 'the mailbox got all three deliveries');
  assert.equal(mailbox.forwarded, 1, 'and forwarded one');
  const run = await signalsIn(started.workflowId);
  assert.equal(run.received.filter((s) => s === 'arazzo.message').length, 1);
});

/** The fine-tuning seed's webhook variant, against the simulator (model `sim-fail` makes the job fail). */
function fineTuningRun(model?: string, timeoutMs?: number) {
  const base = seedRun('openai-fine-tuning-job', stack.simulator.url, { overlays: [] });
  return {
    ...base,
    document: FINE_TUNING_DOC,
    inputs: { ...base.inputs, ...(model && { model }) },
    overlays: timeoutMs === undefined ? [] : [shorterWait('waitForJob', timeoutMs)],
  };
}

/** Requests to the simulator's file and fine-tuning endpoints since `from`, job ids as {id}. */
const fineTuningRequests = (from: number) =>
  stack.simulator.requests
    .slice(from)
    .filter((r) => r.path === '/v1/files' || r.path.startsWith('/v1/fine_tuning'))
    .map((r) => `${r.method} ${r.path.replace(/ftjob-[A-Za-z0-9_-]+/, '{id}')}`);

test('the fine-tuning variant: the job succeeds by its signed fine_tuning.job.succeeded webhook, with no poll', async () => {
  await deliverWith({});
  const from = stack.simulator.requests.length;
  const result = await stack.client.run(fineTuningRun());
  assert.match(String(result.outputs.jobId), /^ftjob-/);
  assert.match(String(result.outputs.fineTunedModel), /^ft:/);
  assert.deepEqual(
    result.trace.map((t) => t.stepId),
    ['uploadTrainingFile', 'createJob', 'waitForJob', 'getResult'],
  );
  const sent = delivery!.events.find((e) => e.event.data.id === result.outputs.jobId);
  assert.equal(sent?.event.type, 'fine_tuning.job.succeeded');
  assert.deepEqual(fineTuningRequests(from), ['POST /v1/files', 'POST /v1/fine_tuning/jobs', 'GET /v1/fine_tuning/jobs/{id}']);
});

test('the fine-tuning variant: a failed job ends the run at its fine_tuning.job.failed event, without reading the job', async () => {
  await deliverWith({});
  const from = stack.simulator.requests.length;
  const started = await stack.client.start(fineTuningRun('sim-fail'));
  await assert.rejects(started.handle.result(), (err: Error) => {
    const text = JSON.stringify({ message: err.message, cause: (err as { cause?: unknown }).cause }, (_, v) =>
      v instanceof Error ? { message: v.message, cause: (v as { cause?: unknown }).cause } : v,
    );
    assert.match(text, /waitForJob/, text);
    return true;
  });
  const job = stack.simulator.state
    .fineTuningJobs()
    .filter((j) => j.model === 'sim-fail')
    .at(-1);
  assert.ok(job, 'the simulator failed the job');
  const sent = delivery!.events.find((e) => e.event.data.id === job.id);
  assert.equal(sent?.event.type, 'fine_tuning.job.failed');
  assert.deepEqual(fineTuningRequests(from), ['POST /v1/files', 'POST /v1/fine_tuning/jobs']);
});

test('the fine-tuning variant: a lost webhook, and the fallback read of the job in the document finishes the run', async () => {
  await deliverWith({ lose: true });
  const from = stack.simulator.requests.length;
  const result = await stack.client.run(fineTuningRun(undefined, 1500));
  assert.match(String(result.outputs.fineTunedModel), /^ft:/);
  const steps = result.trace.map((t) => t.stepId);
  assert.ok(steps.includes('pollJob'), `the run read the job when no event came: ${steps.join(', ')}`);
  assert.equal(steps[steps.length - 1], 'getResult');
  const lost = delivery!.events.find((e) => e.event.data.id === result.outputs.jobId);
  assert.ok(lost?.lost && lost.attempts.length === 0, 'the webhook of this job was lost, never sent');
  assert.ok(fineTuningRequests(from).includes('GET /v1/fine_tuning/jobs/{id}'));
});

test('late, reordered and doubled deliveries: two batches in flight each complete by their own event, once', async () => {
  // the first delivery 1.5 s after the batch ends, events found together sent newest first, each sent twice
  await deliverWith({ delayMs: 1500, reorder: true, duplicates: 1 });
  const from = stack.simulator.requests.length;
  const runs = await Promise.all([stack.client.start(webhookRun()), stack.client.start(webhookRun())]);
  const results = await Promise.all(runs.map((r) => r.handle.result()));
  const ids = results.map((r) => String(r.outputs.batchId));
  assert.notEqual(ids[0], ids[1]);
  for (const [i, result] of results.entries()) {
    assert.deepEqual(
      result.trace.map((t) => t.stepId),
      ['uploadInput', 'createBatch', 'waitForBatch', 'getResult'],
      'completed by the event, no fallback poll',
    );
    const entry = await waitUntil(() => delivery!.events.find((e) => e.event.data.id === ids[i] && e.delivered === 2));
    assert.equal(entry.event.type, 'batch.completed');
    const run = await signalsIn(runs[i].workflowId);
    assert.equal(run.received.filter((s) => s === 'arazzo.message').length, 1, 'each run got its own event once');
  }
  // two uploads, two creates, one read of each finished batch
  assert.equal(batchRequests(from).filter((r) => r.method === 'GET').length, 2);
});

test('a forged signature is refused with 401 and a stale timestamp with 400; neither reaches a mailbox', async () => {
  const before401 = receiver.stats.refused[401] ?? 0;
  const before400 = receiver.stats.refused[400] ?? 0;
  const forged = batchEvent('batch_forged');
  const res1 = await post(signed(forged, { secret: `whsec_${randomBytes(24).toString('base64')}` }));
  assert.equal(res1.status, 401);
  const tampered = signed(batchEvent('batch_forged'));
  const res2 = await post({ ...tampered, body: tampered.body.replace('batch.completed', 'batch.failed') });
  assert.equal(res2.status, 401);
  const stale = await post(signed(batchEvent('batch_stale'), { at: new Date(Date.now() - 10 * 60_000) }));
  assert.equal(stale.status, 400);
  const unsigned = await post({ body: JSON.stringify(batchEvent('batch_unsigned')), headers: { 'content-type': 'application/json' } });
  assert.equal(unsigned.status, 400);
  assert.equal((receiver.stats.refused[401] ?? 0) - before401, 2);
  assert.equal((receiver.stats.refused[400] ?? 0) - before400, 2);
  for (const id of ['batch_forged', 'batch_stale', 'batch_unsigned'])
    await assert.rejects(stack.client.client.workflow.getHandle(mailboxId('/webhooks/openai', id)).describe(), /not found/i);
});

test('an event that arrives before the step waits is kept and delivered; one for a run that ended is acknowledged', async () => {
  const batchId = `batch_early_${randomBytes(4).toString('hex')}`;
  const early = batchEvent(batchId);
  assert.equal((await post(signed(early))).status, 200);
  const result = await stack.client.run({ document: join(FIXTURES, 'receive-batch-event.arazzo.yaml'), inputs: { batchId } });
  assert.deepEqual(result.outputs, { type: 'batch.completed', eventId: early.id, webhookId: early.id });
  // the run has ended: a later event for the same batch is acknowledged (200), and the mailbox logs it away
  assert.equal((await post(signed(batchEvent(batchId, 'batch.expired')))).status, 200);
  const box = mailboxId('/webhooks/openai', batchId);
  const mailbox = await waitUntil(async () => {
    const s = await signalsIn(box);
    return s.forwarded === 2 && s.forwardFailed === 1 ? s : undefined;
  });
  assert.equal(mailbox.received.filter((s) => s === 'arazzo.deliver').length, 2);
  const { status } = await stack.client.client.workflow.getHandle(box).describe();
  assert.equal(status.name, 'RUNNING', 'the mailbox goes on (until it is idle)');
});

test('MQTT: a send step publishes through aedes, a responder answers, the receive step gets the correlated reply', async () => {
  const responder = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
  try {
    await responder.subscribeAsync('orders/place', { qos: 1 });
    responder.on('message', (_topic, bytes) => {
      const order = JSON.parse(bytes.toString()) as { orderId: string };
      // another order's confirmation first: the receive step must wait for its own
      void responder.publishAsync('orders/confirmed', JSON.stringify({ orderId: `${order.orderId}-other`, status: 'rejected' }), {
        qos: 1,
      });
      void responder.publishAsync('orders/confirmed', JSON.stringify({ orderId: order.orderId, status: 'confirmed' }), { qos: 1 });
    });
    const orderId = `order-${randomBytes(4).toString('hex')}`;
    const result = await stack.client.run({
      document: join(FIXTURES, 'mqtt-order.arazzo.yaml'),
      inputs: { orderId },
      servers: { orders: broker.url },
    });
    assert.deepEqual(result.outputs, { status: 'confirmed' });
    assert.deepEqual(
      result.trace.map((t) => [t.stepId, t.success]),
      [
        ['placeOrder', true],
        ['confirmOrder', true],
      ],
    );
  } finally {
    await responder.endAsync(true);
  }
});

test('MQTT: a confirmation published before any run waits (no subscriber yet) is kept by its mailbox and received', async () => {
  const orderId = `order-early-${randomBytes(4).toString('hex')}`;
  const routedBefore = broker.routed();
  const publisher = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
  try {
    await publisher.publishAsync('orders/confirmed', JSON.stringify({ orderId, status: 'confirmed' }), { qos: 1 });
  } finally {
    await publisher.endAsync();
  }
  // the broker itself handed it to the mailbox: no run, and no receive step, exists yet
  const box = mailboxId('orders/confirmed', orderId);
  const mailbox = await waitUntil(async () => {
    const s = await signalsIn(box).catch(() => undefined);
    return s && s.received.includes('arazzo.deliver') ? s : undefined;
  });
  assert.equal(mailbox.forwarded, 0, 'nobody was subscribed when it arrived');
  // the broker counts it once its Signal-With-Start has returned, which can be a moment after the signal is in history
  await waitUntil(() => broker.routed() - routedBefore === 1);
  const result = await stack.client.run({
    document: join(FIXTURES, 'mqtt-confirmation.arazzo.yaml'),
    inputs: { orderId },
    servers: { orders: broker.url },
  });
  assert.deepEqual(result.outputs, { status: 'confirmed' });
});

async function waitUntil<T>(fn: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 200));
  }
}
