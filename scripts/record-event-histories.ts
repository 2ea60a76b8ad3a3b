// Records the histories of AsyncAPI steps for test/unit/replay.test.ts: the webhook variant of the batch seed
// completed by a signed webhook, the same with the webhook lost (the receive step times out, the fallback poll
// finishes), an event delivered before its receive step waits, an MQTT send/receive, and their correlation
// mailboxes (terminated, so their histories end). `npx tsx scripts/record-event-histories.ts` adds them beside the
// others (scripts/record-histories.ts) without touching those.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { PROJECT_ROOT } from '../src/temporal/dev-server';
import { startWebhookDelivery } from '../src/simulator';
import { channelsOf, startMqttBroker, startWebhookServer } from '../src/webhooks';
import { closeBrokers } from '../src/activities/mqtt-bridge';
import { startStack } from '../test/helpers/stack';
import { seedRun } from '../test/helpers/runs';

const OUT = join(PROJECT_ROOT, 'test', 'fixtures', 'histories');
const DOC = join(PROJECT_ROOT, 'arazzo', 'openai-batch-job-webhook.arazzo.yaml');
const FIXTURES = join(PROJECT_ROOT, 'test', 'fixtures', 'events');

async function main(): Promise<void> {
  const stack = await startStack();
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const channels = await channelsOf([join(PROJECT_ROOT, 'asyncapi', 'openai-webhooks.yml')]);
  const receiver = await startWebhookServer({
    port: 0,
    secret,
    client: stack.client.client,
    taskQueue: stack.client.settings.taskQueue,
    channels,
    log: () => undefined,
  });
  const broker = await startMqttBroker({ port: 0 });
  const base = { ...seedRun('openai-batch-job', stack.simulator.url, { overlays: [] }), document: DOC };
  try {
    let delivery = startWebhookDelivery(stack.simulator, { url: `${receiver.url}/webhooks/openai`, secret, intervalMs: 100 });
    await stack.client.run({ ...base, id: 'event-webhook-batch' });
    await delivery.stop();
    delivery = startWebhookDelivery(stack.simulator, { url: `${receiver.url}/webhooks/openai`, secret, lose: true });
    const dir = mkdtempSync(join(tmpdir(), 'record-'));
    const overlay = join(dir, 'timeout.overlay.yaml');
    writeFileSync(
      overlay,
      `overlay: 1.0.0\ninfo: { title: t, version: 1.0.0 }\nactions:\n- target: $.workflows[0].steps[?@.stepId == 'waitForBatch']\n  update: { timeout: 1500 }\n`,
    );
    await stack.client.run({ ...base, overlays: [overlay], id: 'event-lost-webhook-batch' });
    await delivery.stop();
    // an early event, signed and posted before the run starts
    const event = { id: 'evt_early', object: 'event', created_at: 1, type: 'batch.completed', data: { id: 'batch_early' } };
    const body = JSON.stringify(event);
    const now = new Date();
    const { Webhook } = await import('standardwebhooks');
    await fetch(`${receiver.url}/webhooks/openai`, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'webhook-id': event.id,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': new Webhook(secret).sign(event.id, now, body),
      },
    });
    await stack.client.run({
      document: join(FIXTURES, 'receive-batch-event.arazzo.yaml'),
      inputs: { batchId: 'batch_early' },
      id: 'event-early',
    });
    const responder = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
    await responder.subscribeAsync('orders/place', { qos: 1 });
    responder.on(
      'message',
      (_t, bytes) =>
        void responder.publishAsync('orders/confirmed', JSON.stringify({ ...JSON.parse(bytes.toString()), status: 'confirmed' })),
    );
    await stack.client.run({
      document: join(FIXTURES, 'mqtt-order.arazzo.yaml'),
      inputs: { orderId: 'order-1' },
      servers: { orders: broker.url },
      id: 'event-mqtt-order',
    });
    await responder.endAsync(true);

    mkdirSync(OUT, { recursive: true });
    let n = 0;
    for await (const wf of stack.client.client.workflow.list()) {
      const handle = stack.client.client.workflow.getHandle(wf.workflowId, wf.runId);
      if (wf.status.name === 'RUNNING') await handle.terminate('recorded');
      const history = await handle.fetchHistory();
      const name = `${wf.workflowId}--${wf.runId.slice(-8)}`.replace(/[^A-Za-z0-9._-]+/g, '_');
      writeFileSync(join(OUT, `${name}.json`), `{"workflowId":${JSON.stringify(wf.workflowId)},"history":${historyToJSON(history)}}\n`);
      n++;
    }
    console.log(`wrote ${n} histories to ${OUT}`);
  } finally {
    await receiver.close();
    await closeBrokers();
    await broker.close();
    await stack.stop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
