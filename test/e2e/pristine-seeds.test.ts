// The four seed documents exactly as the user wrote them (../shared/seeds: no x-temporal-cancel), run on a
// real dev server against the simulator. Their `../openapi/...` source links do not resolve inside shared/,
// so each run points its source at our description in openapi/ with a `sources` override.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DocumentError, failureMessage, type ArazzoRunResult } from '../../src/client';
import { assertCancelled, at, delay, pristineSeedRun, requestsTo, type SeedName } from '../helpers/runs';
import { startStack, waitFor, type Stack } from '../helpers/stack';

let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(() => stack?.stop());

const jsonl = (text: unknown) => String(text).split('\n').filter(Boolean).map((l) => JSON.parse(l));
const run = (name: SeedName, extra: Parameters<typeof pristineSeedRun>[2] = {}) => stack.client.run(pristineSeedRun(name, stack.simulator.url, extra));

test('as written, their source link does not resolve: the document is refused before anything starts', async () => {
  const req = pristineSeedRun('openai-batch-job', stack.simulator.url);
  delete req.sources;
  const requests = stack.simulator.requests.length;
  await assert.rejects(stack.client.start(req), (err: unknown) => {
    assert.ok(err instanceof DocumentError, String(err));
    assert.match(err.message, /source description "openaiApi" \(.*shared\/openapi\/openai-openapi-master\.yml\) could not be loaded/);
    return true;
  });
  assert.equal(stack.simulator.requests.length, requests);
});

test('the four pristine seeds run with sources pointing at openapi/*.yml and return correct outputs', async () => {
  stack.simulator.reset();
  const settle = (p: Promise<ArazzoRunResult>) => p.then((r) => r.outputs, (err) => assert.fail(`${failureMessage(err)}`));
  const [batch, anthropic, fineTune] = await Promise.all([
    settle(run('openai-batch-job')),
    settle(run('anthropic-batch-create-poll-results')),
    settle(run('openai-fine-tuning-job')),
  ]);
  const download = await settle(run('openai-download-batch-results', { inputs: { batchId: batch.batchId } }));

  assert.match(String(batch.batchId), /^batch_/);
  assert.match(String(batch.outputFileId), /^file-/);
  assert.equal(stack.simulator.state.batches().find((b) => b.id === batch.batchId)?.status, 'completed');

  assert.equal(download.outputFileId, batch.outputFileId);
  assert.deepEqual(jsonl(download.contents).map((l) => l.custom_id).sort(), ['request-1', 'request-2', 'request-3']);

  assert.match(String(fineTune.jobId), /^ftjob-/);
  assert.match(String(fineTune.fineTunedModel), /^ft:gpt-4o-mini-2024-07-18:/);

  assert.match(String(anthropic.batchId), /^msgbatch_/);
  assert.equal(anthropic.processingStatus, 'ended');
  assert.deepEqual(jsonl(anthropic.results).map((l) => l.custom_id).sort(), ['greeting-de', 'greeting-fr']);

  assert.equal(stack.simulator.count('POST', '/v1/batches'), 1);
  assert.equal(stack.simulator.count('POST', '/v1/fine_tuning/jobs'), 1);
  assert.equal(stack.simulator.count('POST', '/v1/messages/batches'), 1);
});

test('a pristine seed cancelled mid-poll ends cancelled and stops polling; with no x-temporal-cancel it cancels nothing', async () => {
  stack.simulator.reset();
  stack.simulator.setTiming({ batchValidatingMs: 60_000 });
  try {
    const started = await stack.client.start(pristineSeedRun('openai-batch-job', stack.simulator.url, { poll: { initialIntervalMs: 250, maxIntervalMs: 250 } }));
    const polls = () => requestsTo(stack.simulator, 'GET', /^\/v1\/batches\/batch_/);
    await waitFor('two polls', () => polls().length >= 2, 20_000, 20);
    await stack.client.cancel(started.workflowId);
    await assert.rejects(started.handle.result(), assertCancelled);
    const closedAt = Date.now();
    await delay(2000);
    assert.deepEqual(polls().filter((p) => at(p) >= closedAt), [], 'no poll after the run was cancelled');
    assert.equal(stack.simulator.count('POST', /\/cancel$/), 0, 'the document declares no cancel operation');
    assert.equal(stack.simulator.state.batches()[0].status, 'validating', 'the batch is left as it was');
  } finally {
    stack.simulator.setTiming('fast');
  }
});
