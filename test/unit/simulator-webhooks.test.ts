// The simulator's webhook delivery: signed per Standard Webhooks (the receiver's library verifies it), at least once
// (retried after a 500), duplicates with the same webhook-id, newest first when reordering, and lost events never sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { startWebhookDelivery, type WebhookDeliveryOptions } from '../../src/simulator';
import type { Simulator } from '../../src/simulator';

const SECRET = `whsec_${randomBytes(24).toString('base64')}`;

/** A receiver that verifies every delivery, answers 500 to the first `failFirst`, and records the verified ones. */
async function receiver(failFirst = 0) {
  const verified: { id: string; type: string; batch: string }[] = [];
  let calls = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      calls++;
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      const event = new Webhook(SECRET).verify(Buffer.concat(chunks).toString(), headers) as { type: string; data: { id: string } };
      if (calls <= failFirst) return res.writeHead(500).end();
      verified.push({ id: headers['webhook-id'], type: event.type, batch: event.data.id });
      res.writeHead(200).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, verified, close: () => server.close() };
}

/** A simulator stand-in whose batches are terminal from the start. */
const sim = (ids: string[]) =>
  ({
    state: {
      batches: () => ids.map((id) => ({ id, status: 'completed', completed_at: 1 })),
      fineTuningJobs: () => [{ id: 'ftjob-1', status: 'failed', finished_at: 2 }],
    },
  }) as unknown as Pick<Simulator, 'state'>;

async function run(
  ids: string[],
  opts: Partial<WebhookDeliveryOptions>,
  failFirst = 0,
  until: (n: number) => boolean = (n) => n >= ids.length + 1,
) {
  const r = await receiver(failFirst);
  const d = startWebhookDelivery(sim(ids), { url: r.url, secret: SECRET, intervalMs: 20, retryDelaysMs: [20, 20, 20], ...opts });
  const deadline = Date.now() + 10_000;
  while (!until(r.verified.length) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
  await new Promise((res) => setTimeout(res, 150)); // nothing more should come
  await d.stop();
  r.close();
  return { verified: r.verified, events: d.events };
}

test('every terminal batch and job is delivered once, signed, with OpenAI event types', async () => {
  const { verified } = await run(['batch_a', 'batch_b'], {});
  assert.deepEqual(verified.map((v) => `${v.type} ${v.batch}`).sort(), [
    'batch.completed batch_a',
    'batch.completed batch_b',
    'fine_tuning.job.failed ftjob-1',
  ]);
});

test('a 500 is retried until delivered (at least once)', async () => {
  const { verified, events } = await run(['batch_a'], {}, 2, (n) => n >= 2);
  assert.equal(verified.length, 2);
  assert.ok(events.some((e) => e.attempts.includes(500) && e.delivered === 1));
});

test('duplicates repeat the webhook-id; reorder sends a scan newest first; lose sends nothing', async () => {
  const dup = await run(['batch_a'], { duplicates: 2 }, 0, (n) => n >= 6);
  const ofA = dup.verified.filter((v) => v.batch === 'batch_a');
  assert.equal(ofA.length, 3);
  assert.equal(new Set(ofA.map((v) => v.id)).size, 1);
  const reordered = await run(['batch_1', 'batch_2', 'batch_3'], { reorder: true });
  assert.deepEqual(
    reordered.events.map((e) => e.event.data.id), // the order they were sent in (their arrival order is the network's)
    ['ftjob-1', 'batch_3', 'batch_2', 'batch_1'],
  );
  assert.equal(reordered.verified.length, 4);
  const lost = await run(['batch_a'], { lose: true }, 0, () => false);
  assert.equal(lost.verified.length, 0);
  assert.ok(lost.events.length === 2 && lost.events.every((e) => e.lost && e.attempts.length === 0));
});
