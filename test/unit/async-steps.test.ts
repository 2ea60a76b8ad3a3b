// Arazzo 1.1 AsyncAPI steps: the load layer parses AsyncAPI sources, compile makes send/receive plan steps,
// `$message` reads a received message, and both sides of a delivery compute the same mailbox.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { prepareDocument } from '../../src/load/prepare';
import { DocumentError } from '../../src/core/diagnostics';
import { evaluateExpression } from '../../src/core/expr';
import { evaluateCriterion } from '../../src/core/expr';
import { mailboxesFor, mailboxId } from '../../src/core/asyncapi';

const ROOT = resolve(__dirname, '../..');
const WEBHOOK_DOC = join(ROOT, 'arazzo/openai-batch-job-webhook.arazzo.yaml');

/** The webhook seed with `edit` applied, written beside copies of nothing: its sources are made absolute. */
function variant(edit: (text: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'async-steps-'));
  const text = readFileSync(WEBHOOK_DOC, 'utf8').replace(/url: \.\.\//g, `url: ${ROOT}/`);
  const file = join(dir, 'doc.arazzo.yaml');
  writeFileSync(file, edit(text));
  return file;
}

/** The webhook seed with a send step `announce` before its receive step; `fields` are the step's lines between action and requestBody. */
const withSendStep = (fields: string) =>
  variant((t) =>
    t.replace(
      '  - stepId: waitForBatch',
      `  - stepId: announce
    channelPath: '{$sourceDescriptions.openaiWebhooks.url}#/channels/openaiEvents'
    action: send
${fields}    requestBody:
      payload:
        batch: $steps.createBatch.outputs.batchId
  - stepId: waitForBatch`,
    ),
  );

async function errorsOf(file: string): Promise<string[]> {
  try {
    await prepareDocument(file);
  } catch (err) {
    if (err instanceof DocumentError) return err.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code}: ${d.message}`);
    throw err;
  }
  return [];
}

test('the webhook seed compiles its receive step with the channel, its correlation location and the timeout', async () => {
  const { plan } = await prepareDocument(WEBHOOK_DOC);
  const wait = plan.steps.find((s) => s.stepId === 'waitForBatch');
  assert.ok(wait && wait.kind === 'receive');
  assert.equal(wait.channel.address, '/webhooks/openai');
  assert.deepEqual(wait.channel.correlationLocations, ['$message.payload#/data/id']);
  assert.equal(wait.correlationId, '$steps.createBatch.outputs.batchId');
  assert.equal(wait.timeoutMs, 3_600_000);
  assert.equal(wait.operationId, 'receiveBatchEvent');
  assert.deepEqual(
    wait.onFailure.map((a) => [a.name, a.type]),
    [
      ['batchEnded', 'end'],
      ['noEventYet', 'goto'],
    ],
  );
  assert.equal(plan.sources.openaiWebhooks.type, 'asyncapi');
});

test('a send step by channelPath carries its header parameters and payload', async () => {
  const file = withSendStep(`    parameters:
    - name: x-batch
      in: header
      value: $steps.createBatch.outputs.batchId
`);
  const { plan } = await prepareDocument(file);
  const send = plan.steps.find((s) => s.stepId === 'announce');
  assert.ok(send && send.kind === 'send');
  assert.equal(send.channel.name, 'openaiEvents');
  assert.deepEqual(
    send.parameters.map((p) => [p.name, p.in]),
    [['x-batch', 'header']],
  );
  assert.deepEqual(send.payload, { batch: '$steps.createBatch.outputs.batchId' });
});

test('bad AsyncAPI steps are refused naming what is wrong', async () => {
  assert.match(
    (await errorsOf(variant((t) => t.replace('receiveBatchEvent', 'receiveBatchEvnt')))).join('\n'),
    /unknown-operation.*did you mean "receiveBatchEvent"/,
  );
  assert.match((await errorsOf(variant((t) => t.replace(/ {4}correlationId: .*\n/, '')))).join('\n'), /missing-correlation-id/);
  assert.match(
    (await errorsOf(variant((t) => t.replace('action: receive', 'action: listen')))).join('\n'),
    /"action" of step "waitForBatch" must be one of "send", "receive"/,
  );
  assert.match((await errorsOf(variant((t) => t.replace('arazzo: 1.1.0', 'arazzo: 1.0.1')))).join('\n'), /asyncapi|action|correlationId/);
  const channel = variant((t) =>
    t.replace(
      'operationId: $sourceDescriptions.openaiWebhooks.receiveBatchEvent',
      "channelPath: '{$sourceDescriptions.openaiWebhooks.url}#/channels/nope'",
    ),
  );
  assert.match((await errorsOf(channel)).join('\n'), /unknown-channel.*no channel "nope"/);
});

test('$message reads the received header (any case) and payload, by pointer or by dotted name', () => {
  const ctx = {
    inputs: {},
    steps: {},
    message: { header: { 'Webhook-Id': 'msg_1' }, payload: { type: 'batch.completed', data: { id: 'batch_1' } } },
  };
  assert.equal(evaluateExpression('$message.header.webhook-id', ctx), 'msg_1');
  assert.equal(evaluateExpression('$message.payload#/data/id', ctx), 'batch_1');
  assert.equal(evaluateExpression('$message.payload.data.id', ctx), 'batch_1');
  assert.deepEqual(evaluateExpression('$message.payload', ctx), ctx.message.payload);
  assert.equal(evaluateCriterion({ condition: "$message.payload#/type == 'batch.completed'" }, ctx).passed, true);
  // no message (the step timed out): criteria on it fail, they do not throw
  const none = { inputs: {}, steps: {} };
  assert.equal(evaluateCriterion({ condition: "$message.payload#/type == 'batch.completed'" }, none).passed, false);
  assert.equal(
    evaluateCriterion({ context: '$message.payload#/type', condition: '^batch\\.(failed|expired)$', type: 'regex' }, none).passed,
    false,
  );
});

test('the transports and the receive step name the same mailbox', () => {
  const channel = { address: '/webhooks/openai', correlationLocations: ['$message.payload#/data/id'] };
  const message = { header: {}, payload: { type: 'batch.completed', data: { id: 'batch_9' } } };
  assert.deepEqual(mailboxesFor(channel, message), [{ mailboxId: mailboxId('/webhooks/openai', 'batch_9'), key: 'batch_9' }]);
  assert.equal(mailboxId('/webhooks/openai', 'batch_9'), 'arazzo-mailbox:/webhooks/openai:batch_9');
  assert.deepEqual(mailboxesFor(channel, { header: {}, payload: { type: 'x' } }), []);
  assert.deepEqual(mailboxesFor({ address: 't', correlationLocations: [] }, message), [{ mailboxId: 'arazzo-mailbox:t:*', key: '*' }]);
  const byHeader = { address: 'confirm', correlationLocations: ['$message.header#/orderRequestId'] };
  assert.deepEqual(
    mailboxesFor(byHeader, { header: { OrderRequestId: 'o1' }, payload: {} }).map((b) => b.key),
    ['o1'],
  );
});

test('$message outside a receive step is warned about: it is always empty there', async () => {
  const file = variant((t) =>
    t.replace(
      '      outputFileId: $response.body#/output_file_id',
      '      outputFileId: $response.body#/output_file_id\n      event: $message.payload#/type',
    ),
  );
  const { warnings } = await prepareDocument(file);
  const w = warnings.find((d) => d.code === 'message-outside-receive');
  assert.ok(w, 'warned');
  assert.equal(w.stepId, 'getResult');
  assert.ok(w.pos?.line && w.pos.line > 100, `at the step's line (${w.pos?.line})`);
});

test('a correlationId on a send step is refused by the 1.1 schema (correlationId only with action: receive), at the action', async () => {
  const file = withSendStep('    correlationId: $steps.createBatch.outputs.batchId\n');
  const err = await prepareDocument(file).then(
    () => undefined,
    (e: { diagnostics?: { code: string; stepId?: string; message: string; pos?: { line?: number } }[] }) => e,
  );
  const d = err?.diagnostics?.find((x) => x.code === 'schema');
  assert.ok(d, 'refused with a schema error');
  assert.equal(d.stepId, 'announce');
  assert.match(d.message, /"action" of step "announce" must be "receive", not "send"/);
  const line =
    readFileSync(file, 'utf8')
      .split('\n')
      .findIndex((l) => l.startsWith('    action: send')) + 1;
  assert.equal(d.pos?.line, line, 'at the action line');
});
